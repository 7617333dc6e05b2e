import { describe, expect, it } from 'vitest';
import { formatLpnet } from '../../src/format/format.js';

/** Formats and returns the text; every expectation below is the exact canonical output. */
const fmt = (text: string) => formatLpnet(text, 'layout.lpnet');

describe('canonical layout', () => {
  it('spaces tokens canonically and drops `;` separators', async () => {
    expect(
      await fmt('type A=fixed<2,6,round:floor>;type B = A\nnet X(n:int=1){input i:f32[n,1];y=relu(i)->A;output y}'),
    ).toBe(
      `type A = fixed<2, 6, round: floor>
type B = A

net X(n: int = 1) {
  input i: f32[n, 1]
  y = relu(i) -> A
  output y
}
`,
    );
  });

  it('keeps numbers, strings and parentheses exactly as written', async () => {
    expect(
      await fmt('net X { y = f(x, a: 5e-4, b: 64.0, c: 1E+3, d: "a\\"b", e: (1 + 2) * ((3)), g: -(-1), h: 2-1) }'),
    ).toBe(
      `net X {
  y = f(x, a: 5e-4, b: 64.0, c: 1E+3, d: "a\\"b", e: (1 + 2) * ((3)), g: -(-1), h: 2 - 1)
}
`,
    );
  });

  it('puts exactly one blank line between items, keeping runs of types and imports together', async () => {
    const input = `import "a.lpnet"
import "b.lpnet"


type A = fixed<2, 2>
type B = fixed<2, 6>

type C = fixed<4, 4>
net X {}
block Y(x) { return x }
train X { batch 1 }`;
    expect(await fmt(input)).toBe(`import "a.lpnet"
import "b.lpnet"

type A = fixed<2, 2>
type B = fixed<2, 6>

type C = fixed<4, 4>

net X {}

block Y(x) {
  return x
}

train X {
  batch 1
}
`);
  });

  it('keeps one blank line between statements where the user had one or more', async () => {
    expect(await fmt('net X {\n  a = f(x)\n\n\n\n  b = f(a)\n  c = f(b)   # note\n\n  d = f(c)\n}\n')).toBe(
      'net X {\n  a = f(x)\n\n  b = f(a)\n  c = f(b) # note\n\n  d = f(c)\n}\n',
    );
  });

  it('writes train settings one per line', async () => {
    expect(
      await fmt('train T { optimizer sgd(lr: 0.01, momentum: 0.9); schedule  fixed(); batch 64; epochs 10; seed 1 }'),
    ).toBe(
      `train T {
  optimizer sgd(lr: 0.01, momentum: 0.9)
  schedule fixed()
  batch 64
  epochs 10
  seed 1
}
`,
    );
  });

  it('keeps a short repeat on one line and opens a longer one', async () => {
    expect(
      await fmt(
        'block B(x, n: int) {\n  repeat n as i {\n    x = f(x)\n  }\n  repeat n - 1 { x = f(x); x = g(x) }\n  return x\n}',
      ),
    ).toBe(
      `block B(x, n: int) {
  repeat n as i { x = f(x) }
  repeat n - 1 {
    x = f(x)
    x = g(x)
  }
  return x
}
`,
    );
  });

  it('drops an empty parameter list and prints empty bodies as {}', async () => {
    expect(await fmt('net X() {\n\n}\nblock b() { repeat 2 {\n} }')).toBe('net X {}\n\nblock b {\n  repeat 2 {}\n}\n');
  });
});

describe('breaking long lines at width 100', () => {
  it('keeps a call on one line when the line fits in 100 columns', async () => {
    // 100 characters exactly.
    const line = '  c1 = conv(image, filters: 20, kernel: 5, weights: W8, bias: W8, stride: 1, pad: 0, group: 1) -> A8';
    expect(line.length).toBe(100);
    expect(await fmt(`net X {\n${line}\n}`)).toBe(`net X {\n${line}\n}\n`);
  });

  it('breaks a longer call one argument per line with a trailing comma', async () => {
    const line =
      '  c1 = conv(image, filters: 20, kernel: 5, weights: W8, bias: W8, stride: 1, pad: 0, group: 12) -> A8';
    expect(line.length).toBe(101);
    expect(await fmt(`net X {\n${line}\n}`)).toBe(`net X {
  c1 = conv(
    image,
    filters: 20,
    kernel: 5,
    weights: W8,
    bias: W8,
    stride: 1,
    pad: 0,
    group: 12,
  ) -> A8
}
`);
  });

  it('breaks the outer call first and keeps inner calls that fit', async () => {
    const input =
      'net X { y = concat(relu(conv(x, filters: 16, kernel: 1)), relu(conv(x, filters: 16, kernel: 3, pad: 1)), axis: 1) }';
    expect(await fmt(input)).toBe(`net X {
  y = concat(
    relu(conv(x, filters: 16, kernel: 1)),
    relu(conv(x, filters: 16, kernel: 3, pad: 1)),
    axis: 1,
  )
}
`);
  });

  it('lets a sole call argument hug its wrapper', async () => {
    const input =
      'net X { f1 = relu(dense(p2, units: 500, weights: W8, weight_init: gaussian, weight_std: 0.1, bias_lr_mult: 2)) -> A8 }';
    expect(await fmt(input)).toBe(`net X {
  f1 = relu(dense(
    p2,
    units: 500,
    weights: W8,
    weight_init: gaussian,
    weight_std: 0.1,
    bias_lr_mult: 2,
  )) -> A8
}
`);
  });

  it('breaks long parameter lists, shapes and lists the same way', async () => {
    const input = `net Wide(batch: int = 64, classes: int = 1000, width_multiplier: int = 4, depth: int = 2, W: type = fixed<2, 14>) {
  input image: f32[batch_size_for_this_particular_net, channels_of_the_input, height_of_the_image, width_of_it]
  y = f(image, steps: [1000000, 2000000, 3000000, 4000000, 5000000, 6000000, 7000000, 8000000, 9000000, 100])
}`;
    expect(await fmt(input)).toBe(`net Wide(
  batch: int = 64,
  classes: int = 1000,
  width_multiplier: int = 4,
  depth: int = 2,
  W: type = fixed<2, 14>,
) {
  input image: f32[
    batch_size_for_this_particular_net,
    channels_of_the_input,
    height_of_the_image,
    width_of_it,
  ]
  y = f(
    image,
    steps: [1000000, 2000000, 3000000, 4000000, 5000000, 6000000, 7000000, 8000000, 9000000, 100],
  )
}
`);
  });

  it('reflows a call the user broke by hand when it fits', async () => {
    expect(await fmt('net X {\n  y = f(\n    a,\n    b: 1,\n  )\n}\n')).toBe('net X {\n  y = f(a, b: 1)\n}\n');
  });
});

describe('comment placement', () => {
  it('keeps own-line, end-of-line, brace-line and end-of-file comments in place', async () => {
    const input = `# header

net X {   # brace
  # before a
  a = f(x)   # after a
  b = g(a,    # after the first argument
    c: 1)
  # last in body
}
# end`;
    expect(await fmt(input)).toBe(`# header

net X { # brace
  # before a
  a = f(x) # after a
  b = g(
    a, # after the first argument
    c: 1,
  )
  # last in body
}
# end
`);
  });

  it('keeps comments inside empty bodies and files with nothing but comments', async () => {
    expect(await fmt('net X {\n      # alone\n}\n')).toBe('net X {\n  # alone\n}\n');
    expect(await fmt('#a\n\n\n\n#b   \n')).toBe('#a\n\n#b\n');
  });

  it('indents a value moved to the next line by a comment', async () => {
    expect(await fmt('net X {\n  y = # why\n  f(x)\n}')).toBe('net X {\n  y = # why\n    f(x)\n}\n');
  });
});
