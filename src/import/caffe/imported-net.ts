import type { Span } from '../../diag/span.js';
import type { Attrs, DeclaredTypes } from '../../ir/graph.js';

/**
 * What the Caffe importer makes of a prototxt before it becomes IR or .lpnet text: net inputs and
 * one node per layer with lpc op names and attributes, wired by lpc identifiers. Both the IR
 * builder (build-graph.ts) and the .lpnet writer (write-lpnet.ts) start from this, which is what
 * keeps the written .lpnet and the direct import the same net.
 */

/** Where an input's data comes from, for the data loader (recorded in the .lpnet header and graph metadata). */
export interface DataSourceInfo {
  layerType: string;
  layerName: string;
  source?: string;
  batchSize?: number;
  backend?: string;
  scale?: number;
  meanValue?: number[];
  meanFile?: string;
  cropSize?: number;
  mirror?: boolean;
  /** How the shape was found: `input_param`, `input_dim`, `--input-shape`, or `guessed from ...`. */
  shapeFrom: string;
}

export interface ImportedInput {
  /** lpc identifier. */
  id: string;
  /** The Caffe blob name (top). */
  caffeName: string;
  dtype: 'f32' | 'i32';
  shape: number[];
  span?: Span;
  data?: DataSourceInfo;
}

export interface ImportedNode {
  /** lpc identifier: the binding name, node id and value id. */
  id: string;
  layerName: string;
  layerType: string;
  op: string;
  /** Data inputs (ids of inputs or earlier nodes). */
  inputs: string[];
  /** Attributes as written from the prototxt (lpc fills op defaults when it builds the graph). */
  attrs: Attrs;
  types: DeclaredTypes;
  span?: Span;
  marker?: 'output' | 'loss';
  /** Caffe blob index -> parameter slot (see LayerRow.blobSlots). */
  blobSlots: (string | undefined)[];
  /** Names of LPAct layers folded into this node as its `-> T`. */
  folded?: string[];
}

export interface ImportedNet {
  /** The net's name as an lpc identifier (the graph's name). */
  name: string;
  /** The name the prototxt gives (`name: "LeNet"`), or the file's base name. */
  caffeName: string;
  file: string;
  phase: 'TRAIN' | 'TEST';
  inputs: ImportedInput[];
  nodes: ImportedNode[];
  /** Caffe layer name -> node id, for matching caffemodel weights. */
  layerToNode: Map<string, string>;
}
