import protobuf from 'protobufjs';
import { caffeType, FIELD } from './caffe-schema.js';
import type { CaffeMessage } from './message.js';

/**
 * Encodes a binary .caffemodel (NetParameter) layer by layer. Each layer's definition is encoded
 * with the schema; its blobs are appended as field 7 by hand, with the float data written as one
 * packed run that is a view of the caller's Float32Array (no copy), so a net's weights are never
 * duplicated in memory. The result is a list of chunks to write in order (or concatenate).
 */

export interface BlobOut {
  shape: number[];
  data: Float32Array;
}

export interface LayerOut {
  /** LayerParameter fields other than blobs: name, type, bottom, top, *_param ... */
  fields: CaffeMessage;
  blobs: BlobOut[];
}

function varint(n: number): Uint8Array {
  return protobuf.Writer.create().uint32(n).finish();
}

function tag(field: number, wireType: number): Uint8Array {
  return varint(((field << 3) | wireType) >>> 0);
}

const LEN = 2;

function blobChunks(blob: BlobOut): { chunks: Uint8Array[]; length: number } {
  const shape = caffeType('BlobShape').encode({ dim: blob.shape }).finish();
  const dataBytes = new Uint8Array(blob.data.buffer, blob.data.byteOffset, blob.data.byteLength);
  const chunks = [tag(FIELD.blob.shape, LEN), varint(shape.length), shape];
  if (dataBytes.length > 0) chunks.push(tag(FIELD.blob.data, LEN), varint(dataBytes.length), dataBytes);
  return { chunks, length: chunks.reduce((a, c) => a + c.length, 0) };
}

/** Chunks of a NetParameter with `name` and the given V2 layers. */
export function encodeCaffemodel(name: string, layers: LayerOut[]): Uint8Array[] {
  const out: Uint8Array[] = [caffeType('NetParameter').encode({ name }).finish()];
  for (const layer of layers) {
    const head = caffeType('LayerParameter').encode(layer.fields).finish();
    const body: Uint8Array[] = [head];
    for (const blob of layer.blobs) {
      const b = blobChunks(blob);
      body.push(tag(FIELD.layer.blobs, LEN), varint(b.length), ...b.chunks);
    }
    const length = body.reduce((a, c) => a + c.length, 0);
    out.push(tag(FIELD.net.layer, LEN), varint(length), ...body);
  }
  return out;
}

/** All chunks in one buffer (tests and small nets; the CLI writes the chunks one by one). */
export function concatChunks(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
