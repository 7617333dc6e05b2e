/**
 * .lpnet snippets that together use every construct of the language and put comments in every
 * position the formatter has to handle. Shared by the idempotence / AST / comment tests.
 */
export interface CorpusEntry {
  name: string;
  text: string;
}

export const corpus: CorpusEntry[] = [
  {
    name: 'the language tour',
    text: `import "common.lpnet"                        # types and blocks from another file
type W8 = fixed<2, 6>                        # I integer bits, F fraction bits
type A8 = fixed<4, 4, round: stochastic, overflow: saturate>
net LeNet(batch: int = 64, classes: int = 10, W: type = fixed<2, 2>) {
  input  image: f32[batch, 1, 28, 28]
  input  label: i32[batch]
  c1 = conv(image, filters: 20, kernel: 5, weights: W8, bias: W8) -> A8
  p1 = max_pool(c1, kernel: 2, stride: 2)
  f1 = relu(dense(p1, units: 500, weights: W)) -> A8
  logits = dense(f1, units: classes)
  x = vgg_stage(p1, filters: 64, convs: 2)    # block call, same syntax as an op call
  output probs = softmax(logits)
  loss   xent  = softmax_cross_entropy(logits, label)
  output logits                               # marks an existing value
}
block vgg_stage(x, filters: int, convs: int = 2) {   # bare x = tensor parameter
  repeat convs as i { x = relu(conv(x, filters: filters, kernel: 3, pad: 1)) -> A8 }   # i = 0..convs-1
  return max_pool(x, kernel: 2, stride: 2)
}
train LeNet {
  optimizer sgd(lr: 0.01, momentum: 0.9, weight_decay: 5e-4)
  schedule  inv(gamma: 1e-4, power: 0.75)
  batch 64; epochs 10; seed 1
}
`,
  },
  {
    name: 'expressions, literals and parentheses',
    text: `net E(a: int = 2 * (3 + 4) - -1, f: float = 1.50, ok: bool = true, s: int = 7 % 3 / 1) {
  input x: f32[a + 1, (a), -(-a), a*a]
  y = pad(x, sizes: [1, 2, [3, 4]], value: 0.0, name: "a \\"quoted\\" \\\\ name", on: false)
  z = scale(y, by: 5e-4, also: 1E+3, t: fixed<a, 16 - a, round: floor>, e: [])
  output z
}
`,
  },
  {
    name: 'comments in every position',
    text: `# header comment

# second paragraph of the header
type T = fixed<2, 2>   # trailing on a type


# own-line comment before a net, after two blank lines
net N(a: int = 1 + # inside a default
  2, b: type = fixed<2, # inside fixed
  6>) {   # on the brace line
  # first statement's comment
  input x: f32[a, # inside a shape
    3]
  y = # between = and value
    relu(x)
  z = relu(x) -> # between -> and type
    fixed<2, 6>
  w = relu( # after an open paren
    x)
  v = add(x,
    # own line before an argument
    y)

  # after a blank line
  m = relu(x) # end of line
  n = (a + # inside parentheses
    b) * 2
  repeat 2 as i { q = relu(x) # inside a one-line repeat
  }
  repeat 2 {
    # alone in a repeat
  }
  repeat 3 { # brace line of an empty repeat
  }
  output o = softmax(m # before a closing paren
  )
  # last in the body

}
# between items
block b(x) {
  return # between return and value
    relu(x) -> # before the type
    T
}
train N {   # train brace
  optimizer sgd( # after sgd(
    lr: 0.1)
  batch # between key and value
    64
  # end of train
}
# end of file

# really the end`,
  },
  {
    name: 'empty bodies and parameter lists',
    text: `net A() {}
block b() {
}
net C { # only a brace comment
}
net D {
  # only an inner comment

  # and another after a blank line
}
`,
  },
  {
    name: 'semicolons, odd spacing and CRLF line ends',
    text: 'type A = fixed<2,2>;type B = A\r\n\r\n\r\n\r\nnet X(x:int=1){input i:f32[x];y=relu(i)->A;output y\r\n\r\n\r\n  loss l=xent(y,i)}\r\n',
  },
  {
    name: 'long calls and lists',
    text: `net Long(batch: int = 64, classes: int = 1000, width_multiplier: int = 4, depth_multiplier: int = 2) {
  input image: f32[batch, 3, 224, 224]
  c1 = relu(conv(image, filters: 64 * width_multiplier, kernel: 7, stride: 2, pad: 3, weights: fixed<2, 14>)) -> fixed<8, 8>
  c2 = concat([relu(conv(c1, filters: 16, kernel: 1)), relu(conv(c1, filters: 16, kernel: 3, pad: 1)), c1], axis: 1)
  output c2
}
`,
  },
  { name: 'an empty file', text: '' },
  { name: 'only comments', text: '# one\n\n\n# two\n# three' },
];
