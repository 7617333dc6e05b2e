import type { CstNode, IToken } from 'chevrotain';
import { error, type Diagnostic } from '../diag/diagnostic.js';
import { spanFrom, type Span } from '../diag/span.js';
import { didYouMean } from '../diag/suggest.js';
import type {
  BlockDecl,
  Comment,
  ImportDecl,
  InputStmt,
  Item,
  LetStmt,
  MarkerStmt,
  NetDecl,
  ParamDecl,
  ParamKind,
  Program,
  RepeatStmt,
  ReturnStmt,
  Stmt,
  TrainDecl,
  TrainSetting,
  TypeAliasDecl,
  TypeExpr,
} from './ast.js';
import { nodeOf, nodesOf, tokenOf, tokenSpan } from './cst-reader.js';
import { ExprBuilder } from './cst-to-ast-expr.js';

/** Kinds a parameter may be written with; `tensor` is only ever implied by a bare name. */
const WRITTEN_PARAM_KINDS: readonly ParamKind[] = ['int', 'float', 'bool', 'type'];

/**
 * The typed CST -> AST walk for items and statements (expressions are in cst-to-ast-expr.ts).
 * It reports the few mistakes the grammar lets through on purpose (unknown parameter kinds,
 * positional-after-named arguments, defaults on tensor parameters) so the grammar stays small
 * and its errors stay about syntax.
 */
export class AstBuilder extends ExprBuilder {
  constructor(file: string, diagnostics: Diagnostic[]) {
    super(file, diagnostics);
  }

  program(cst: CstNode, comments: IToken[], wholeFile: Span): Program {
    const items: Item[] = [];
    for (const n of nodesOf(cst, 'item')) {
      const item = this.item(n);
      if (item) items.push(item);
    }
    const commentNodes: Comment[] = comments.map((t) => ({
      kind: 'Comment',
      text: t.image.slice(1),
      span: tokenSpan(this.file, t),
    }));
    return {
      kind: 'Program',
      file: this.file,
      items,
      comments: commentNodes,
      span: wholeFile,
    };
  }

  private item(node: CstNode): Item | undefined {
    const imp = nodeOf(node, 'importDecl');
    if (imp) return this.importDecl(imp);
    const alias = nodeOf(node, 'typeAliasDecl');
    if (alias) return this.typeAlias(alias);
    const net = nodeOf(node, 'netDecl');
    if (net) return this.netOrBlock(net, 'NetDecl');
    const block = nodeOf(node, 'blockDecl');
    if (block) return this.netOrBlock(block, 'BlockDecl');
    const train = nodeOf(node, 'trainDecl');
    return train && this.trainDecl(train);
  }

  private importDecl(node: CstNode): ImportDecl | undefined {
    const pathToken = tokenOf(node, 'path');
    const span = this.span(node);
    if (!pathToken || !span) return undefined;
    return { kind: 'ImportDecl', path: this.stringLiteral(pathToken), span };
  }

  private typeAlias(node: CstNode): TypeAliasDecl | undefined {
    const name = this.identifier(tokenOf(node, 'name'));
    const type = this.typeExpr(nodeOf(node, 'type'));
    const span = this.span(node);
    if (!name || !type || !span) return undefined;
    return { kind: 'TypeAliasDecl', name, type, span };
  }

  private netOrBlock<K extends 'NetDecl' | 'BlockDecl'>(node: CstNode, kind: K): NetDecl | BlockDecl | undefined {
    const name = this.identifier(tokenOf(node, 'name'));
    const span = this.span(node);
    if (!name || !span) return undefined;
    const paramList = nodeOf(node, 'params');
    const params = paramList ? this.params(paramList) : [];
    const body = this.body(nodeOf(node, 'body'));
    return { kind, name, params, body, span };
  }

  private params(node: CstNode): ParamDecl[] {
    const out: ParamDecl[] = [];
    for (const n of nodesOf(node, 'param')) {
      const p = this.param(n);
      if (p) out.push(p);
    }
    return out;
  }

  private param(node: CstNode): ParamDecl | undefined {
    const name = this.identifier(tokenOf(node, 'name'));
    const span = this.span(node);
    if (!name || !span) return undefined;
    const kindToken = tokenOf(node, 'kind');
    const defaultValue = this.expression(nodeOf(node, 'default'));
    const hasDefaultSyntax = node.children.Equals !== undefined;
    if (hasDefaultSyntax && !defaultValue) return undefined;
    if (node.children.Colon !== undefined && !kindToken) return undefined;

    let paramKind: ParamKind = 'tensor';
    let kindSpan: Span | undefined;
    if (kindToken) {
      kindSpan = tokenSpan(this.file, kindToken);
      const written = WRITTEN_PARAM_KINDS.find((k) => k === kindToken.image);
      if (!written) {
        this.reportUnknownKind(name.name, kindToken.image, kindSpan);
        return undefined;
      }
      paramKind = written;
    } else if (defaultValue) {
      this.diagnostics.push(
        error('LPC1022', `the tensor parameter \`${name.name}\` cannot have a default value`, defaultValue.span, {
          hint: `a bare parameter is a tensor input; write \`${name.name}: int = ...\` (or float, bool, type) for a scalar`,
        }),
      );
    }
    const param: ParamDecl = { kind: 'ParamDecl', name, paramKind, span };
    if (kindSpan) param.kindSpan = kindSpan;
    if (defaultValue) param.default = defaultValue;
    return param;
  }

  private reportUnknownKind(param: string, written: string, span: Span): void {
    const hint =
      written === 'tensor'
        ? `a tensor parameter is written as a bare name: \`${param}\``
        : (didYouMean(written, WRITTEN_PARAM_KINDS) ?? 'parameter kinds are `int`, `float`, `bool` and `type`');
    this.diagnostics.push(error('LPC1020', `unknown parameter kind \`${written}\` for \`${param}\``, span, { hint }));
  }

  private trainDecl(node: CstNode): TrainDecl | undefined {
    const net = this.identifier(tokenOf(node, 'net'));
    const span = this.span(node);
    if (!net || !span) return undefined;
    const settings: TrainSetting[] = [];
    for (const n of nodesOf(node, 'trainSetting')) {
      const key = this.identifier(tokenOf(n, 'key'));
      const value = this.expression(nodeOf(n, 'value'));
      if (key && value)
        settings.push({
          kind: 'TrainSetting',
          key,
          value,
          span: spanFrom(key.span, value.span),
        });
    }
    return { kind: 'TrainDecl', net, settings, span };
  }

  // ------------------------------------------------------------------------------------------
  // Statements

  private body(node: CstNode | undefined): Stmt[] {
    const out: Stmt[] = [];
    if (!node) return out;
    for (const n of nodesOf(node, 'statement')) {
      const s = this.statement(n);
      if (s) out.push(s);
    }
    return out;
  }

  private statement(node: CstNode): Stmt | undefined {
    const input = nodeOf(node, 'inputStmt');
    if (input) return this.inputStmt(input);
    const marker = nodeOf(node, 'markerStmt');
    if (marker) return this.markerStmt(marker);
    const repeat = nodeOf(node, 'repeatStmt');
    if (repeat) return this.repeatStmt(repeat);
    const ret = nodeOf(node, 'returnStmt');
    if (ret) return this.returnStmt(ret);
    const let_ = nodeOf(node, 'letStmt');
    return let_ && this.letStmt(let_);
  }

  /** The `-> T` of a statement: absent, or undefined when recovery cut the type off. */
  private outType(node: CstNode): { present: boolean; type?: TypeExpr } {
    const out = nodeOf(node, 'outType');
    if (!out) return { present: false };
    return { present: true, type: this.typeExpr(nodeOf(out, 'type')) };
  }

  private inputStmt(node: CstNode): InputStmt | undefined {
    const name = this.identifier(tokenOf(node, 'name'));
    const dtype = this.typeExpr(nodeOf(node, 'dtype'));
    const shapeNode = nodeOf(node, 'shape');
    const span = this.span(node);
    if (!name || !dtype || !shapeNode || !span) return undefined;
    return {
      kind: 'InputStmt',
      name,
      dtype,
      shape: this.listItems(shapeNode),
      span,
    };
  }

  private markerStmt(node: CstNode): MarkerStmt | undefined {
    const markerToken = tokenOf(node, 'marker');
    const name = this.identifier(tokenOf(node, 'name'));
    const span = this.span(node);
    if (!markerToken || !name || !span) return undefined;
    const stmt: MarkerStmt = {
      kind: 'MarkerStmt',
      marker: markerToken.image === 'loss' ? 'loss' : 'output',
      name,
      span,
    };
    if (node.children.Equals) {
      const value = this.expression(nodeOf(node, 'value'));
      if (!value) return undefined;
      stmt.value = value;
      const out = this.outType(node);
      if (out.present && !out.type) return undefined;
      if (out.type) stmt.outType = out.type;
    }
    return stmt;
  }

  private repeatStmt(node: CstNode): RepeatStmt | undefined {
    const count = this.expression(nodeOf(node, 'count'));
    const span = this.span(node);
    if (!count || !span) return undefined;
    const stmt: RepeatStmt = {
      kind: 'RepeatStmt',
      count,
      body: this.body(nodeOf(node, 'body')),
      span,
    };
    const index = this.identifier(tokenOf(node, 'index'));
    if (index) stmt.index = index;
    return stmt;
  }

  private returnStmt(node: CstNode): ReturnStmt | undefined {
    const value = this.expression(nodeOf(node, 'value'));
    const span = this.span(node);
    if (!value || !span) return undefined;
    const out = this.outType(node);
    if (out.present && !out.type) return undefined;
    const stmt: ReturnStmt = { kind: 'ReturnStmt', value, span };
    if (out.type) stmt.outType = out.type;
    return stmt;
  }

  private letStmt(node: CstNode): LetStmt | undefined {
    const name = this.identifier(tokenOf(node, 'name'));
    const value = this.expression(nodeOf(node, 'value'));
    const span = this.span(node);
    if (!name || !value || !span) return undefined;
    const out = this.outType(node);
    if (out.present && !out.type) return undefined;
    const stmt: LetStmt = { kind: 'LetStmt', name, value, span };
    if (out.type) stmt.outType = out.type;
    return stmt;
  }
}
