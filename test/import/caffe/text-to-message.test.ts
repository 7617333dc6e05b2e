import { describe, expect, it } from 'vitest';
import { caffeType } from '../../../src/import/caffe/caffe-schema.js';
import { spanOf } from '../../../src/import/caffe/message.js';
import { parseNetPrototxt } from '../../../src/import/caffe/text-to-message.js';
import { lines } from './helpers.js';

const parse = (text: string) => parseNetPrototxt(text, 'n.prototxt');

describe('prototxt against the schema', () => {
  it('builds typed messages: strings, repeated fields, enums, bools, numbers, sub-messages', () => {
    const r = parse('name: "N"\nlayer { name: "p" type: "Pooling" bottom: "a" top: "b" pooling_param { pool: AVE kernel_size: 3 global_pooling: true } include { phase: TRAIN } }');
    expect(r.diagnostics).toEqual([]);
    expect(r.net).toEqual({
      name: 'N',
      layer: [{ name: 'p', type: 'Pooling', bottom: ['a'], top: ['b'], pooling_param: { pool: 'AVE', kernel_size: 3, global_pooling: true }, include: [{ phase: 'TRAIN' }] }],
    });
  });

  it('records where every field was written', () => {
    const r = parse('layer {\n  name: "c"\n  top: "x"\n  top: "y"\n}');
    const layer = (r.net.layer as never[])[0];
    expect(spanOf(layer)?.start).toMatchObject({ line: 1, col: 1 });
    expect(spanOf(layer, 'top', 1)?.start).toMatchObject({ line: 4, col: 3 });
  });

  it('unknown fields get did-you-mean at the field name', () => {
    const r = parse('layer { name: "c" convolution_param { num_ouput: 3 } }');
    expect(lines(r.diagnostics)).toEqual(['n.prototxt:1:39: error LPC4003: unknown field `num_ouput` in ConvolutionParameter']);
    expect(r.diagnostics[0].hint).toBe('did you mean `num_output`?');
  });

  it('wrong kinds, unknown enum words and duplicates are diagnostics; the rest is kept', () => {
    const r = parse(
      'layer { name: c type: "X" pooling_param { pool: MAXX kernel_size: 2.5 } convolution_param { num_output: -1 bias_term: 3 } name: "d" }\nname: "net"',
    );
    expect(lines(r.diagnostics)).toEqual([
      'n.prototxt:1:15: error LPC4004: field `name` takes a quoted string',
      'n.prototxt:1:49: error LPC4005: unknown value `MAXX` for field `pool`; expected one of MAX, AVE, STOCHASTIC',
      'n.prototxt:1:67: error LPC4004: field `kernel_size` takes an integer, got 2.5',
      'n.prototxt:1:105: error LPC4004: field `num_output` must not be negative, got -1',
      'n.prototxt:1:119: error LPC4004: field `bias_term` takes true or false',
      'n.prototxt:1:123: error LPC4006: field `name` is given more than once',
    ]);
    expect(r.diagnostics[1].hint).toBe('did you mean `MAX`?');
    expect(r.net.name).toBe('net');
  });

  it('messages and scalars are not interchangeable', () => {
    const r = parse('layer { convolution_param: 3 top { a: 1 } }');
    expect(lines(r.diagnostics)).toEqual([
      'n.prototxt:1:28: error LPC4004: field `convolution_param` is a message: write `convolution_param { ... }`',
      'n.prototxt:1:30: error LPC4004: field `top` takes a single value, not `{ ... }`',
    ]);
  });

  it('enum values may be given as numbers; floats keep the written value', () => {
    const r = parse('layer { pooling_param { pool: 1 } lrn_param { alpha: 0.0001 } }');
    expect(r.diagnostics).toEqual([]);
    expect(r.net).toEqual({ layer: [{ pooling_param: { pool: 'AVE' }, lrn_param: { alpha: 0.0001 } }] });
  });

  it('schema field numbers match upstream caffe.proto (wire compatibility)', () => {
    const L = caffeType('LayerParameter');
    expect([L.fields.name.id, L.fields.type.id, L.fields.blobs.id, L.fields.convolution_param.id, L.fields.lpfp_param.id]).toEqual([1, 2, 7, 106, 147]);
    expect(caffeType('NetParameter').fields.layer.id).toBe(100);
    expect(caffeType('NetParameter').fields.layers.id).toBe(2);
    expect(caffeType('BlobProto').fields.data.id).toBe(5);
    expect(caffeType('V1LayerParameter').fields.blobs.id).toBe(6);
  });
});
