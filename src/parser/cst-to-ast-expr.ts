import type { CstNode, IToken } from 'chevrotain';
import { error, type Diagnostic } from '../diag/diagnostic.js';
import { spanFrom, type Span } from '../diag/span.js';
import type {
  Argument,
  BinaryOperator,
  CallExpr,
  Expr,
  FixedType,
  Identifier,
  NamedArgument,
  NumberLiteral,
  StringLiteral,
  TypeExpr,
} from './ast.js';
import { nodeOf, nodesOf, nodeSpan, tokenOf, tokensOf, tokenSpan } from './cst-reader.js';
import { decodeStringToken } from './string-literal.js';

function binary(left: Expr, op: BinaryOperator, right: Expr): Expr {
  return { kind: 'BinaryExpr', op, left, right, span: spanFrom(left.span, right.span) };
}

/**
 * Expressions and types: CST -> AST. Every builder returns `undefined` when error recovery left
 * the node incomplete; callers drop what they cannot build rather than invent placeholders.
 */
export class ExprBuilder {
  constructor(
    readonly file: string,
    readonly diagnostics: Diagnostic[],
  ) {}

  identifier(token: IToken | undefined): Identifier | undefined {
    if (!token) return undefined;
    return {
      kind: 'Identifier',
      name: token.image,
      span: tokenSpan(this.file, token),
    };
  }

  span(node: CstNode): Span | undefined {
    return nodeSpan(this.file, node);
  }

  // ------------------------------------------------------------------------------------------
  // Types

  typeExpr(node: CstNode | undefined): TypeExpr | undefined {
    if (!node) return undefined;
    const fixed = nodeOf(node, 'fixedType');
    if (fixed) return this.fixedType(fixed);
    const name = this.identifier(tokenOf(node, 'name'));
    if (name?.name === 'fixed') {
      // `fixed` is a name only outside types (`schedule fixed`); as a type it needs its bits.
      this.diagnostics.push(
        error('LPC1014', '`fixed` needs its bit counts here: `fixed<I, F>`', name.span, {
          hint: 'write `fixed<I, F>`, e.g. `fixed<2, 6>` for 2 integer bits (sign included) and 6 fraction bits',
        }),
      );
      return undefined;
    }
    return name && { kind: 'NamedType', name, span: name.span };
  }

  fixedType(node: CstNode): FixedType | undefined {
    const intBits = this.expression(nodeOf(node, 'intBits'));
    const fracBits = this.expression(nodeOf(node, 'fracBits'));
    const span = this.span(node);
    if (!intBits || !fracBits || !span) return undefined;
    const options: NamedArgument[] = [];
    for (const o of nodesOf(node, 'option')) {
      const arg = this.namedArg(o);
      if (arg) options.push(arg);
    }
    return { kind: 'FixedType', intBits, fracBits, options, span };
  }

  // ------------------------------------------------------------------------------------------
  // Expressions

  expression(node: CstNode | undefined): Expr | undefined {
    if (!node) return undefined;
    const operands: Expr[] = [];
    for (const n of nodesOf(node, 'operand')) {
      const e = this.operand(n);
      if (!e) return undefined;
      operands.push(e);
    }
    if (operands.length === 0) return undefined;
    return this.applyPrecedence(operands, tokensOf(node, 'operator'));
  }

  /**
   * Folds the flat chain `a op b op c ...` with `* / %` binding tighter than `+ -`, all
   * left-associative: `term` collects the current product, `sum` the finished terms before it.
   */
  private applyPrecedence(operands: Expr[], operators: IToken[]): Expr {
    let sum: { value: Expr; op: BinaryOperator } | undefined;
    let term = operands[0];
    for (let i = 0; i < operators.length && i + 1 < operands.length; i++) {
      const op = operators[i].image as BinaryOperator;
      const right = operands[i + 1];
      if (op === '*' || op === '/' || op === '%') {
        term = binary(term, op, right);
      } else {
        sum = { value: sum ? binary(sum.value, sum.op, term) : term, op };
        term = right;
      }
    }
    return sum ? binary(sum.value, sum.op, term) : term;
  }

  /** Leading minuses wrap the atom innermost-first: `--x` is `-(-x)`. */
  private operand(node: CstNode): Expr | undefined {
    let value = this.atom(node);
    if (!value) return undefined;
    const minuses = tokensOf(node, 'negate');
    for (let i = minuses.length - 1; i >= 0; i--) {
      value = {
        kind: 'UnaryExpr',
        op: '-',
        operand: value,
        span: spanFrom(tokenSpan(this.file, minuses[i]), value.span),
      };
    }
    return value;
  }

  private atom(node: CstNode): Expr | undefined {
    const num = tokenOf(node, 'NumberLit');
    if (num) return this.numberLiteral(num);
    const str = tokenOf(node, 'StringLit');
    if (str) return this.stringLiteral(str);
    const t = tokenOf(node, 'True') ?? tokenOf(node, 'False');
    if (t) return { kind: 'BoolLiteral', value: t.image === 'true', span: tokenSpan(this.file, t) };
    const fixed = nodeOf(node, 'fixedType');
    if (fixed) {
      const type = this.fixedType(fixed);
      return type && { kind: 'TypeValue', type, span: type.span };
    }
    const paren = nodeOf(node, 'parenExpr');
    if (paren) {
      const inner = this.expression(nodeOf(paren, 'expression'));
      const span = this.span(paren);
      return inner && span && { kind: 'ParenExpr', expr: inner, span };
    }
    const list = nodeOf(node, 'listExpr');
    if (list) {
      const span = this.span(list);
      return span && { kind: 'ListExpr', items: this.listItems(list), span };
    }
    const nameOrCall = nodeOf(node, 'nameOrCall');
    return nameOrCall && this.nameOrCall(nameOrCall);
  }

  /** Items of a `[...]` list; items lost to error recovery are left out. */
  listItems(node: CstNode): Expr[] {
    const items: Expr[] = [];
    for (const n of nodesOf(node, 'item')) {
      const e = this.expression(n);
      if (e) items.push(e);
    }
    return items;
  }

  numberLiteral(token: IToken): NumberLiteral {
    const raw = token.image;
    const span = tokenSpan(this.file, token);
    let value = Number(raw);
    if (!Number.isFinite(value)) {
      this.diagnostics.push(
        error('LPC1004', `the number \`${raw}\` is too large to represent`, span, {
          hint: 'numbers are 64-bit floats; the largest is about 1.8e308',
        }),
      );
      value = Number.MAX_VALUE;
    }
    return {
      kind: 'NumberLiteral',
      value,
      isInteger: /^\d+$/.test(raw),
      raw,
      span,
    };
  }

  stringLiteral(token: IToken): StringLiteral {
    const value = decodeStringToken(this.file, token, this.diagnostics);
    return {
      kind: 'StringLiteral',
      value,
      raw: token.image,
      span: tokenSpan(this.file, token),
    };
  }

  private nameOrCall(node: CstNode): Expr | undefined {
    const name = this.identifier(tokenOf(node, 'name'));
    if (!name) return undefined;
    if (!node.children.LParen) return { kind: 'NameRef', name, span: name.span };
    const span = this.span(node);
    if (!span) return undefined;
    const call: CallExpr = {
      kind: 'CallExpr',
      callee: name,
      args: this.arguments(nodesOf(node, 'argument')),
      span,
    };
    return call;
  }

  /** Call arguments; a positional one after a named one is reported (inputs come first). */
  private arguments(nodes: CstNode[]): Argument[] {
    const args: Argument[] = [];
    let firstNamed: NamedArgument | undefined;
    for (const n of nodes) {
      if (n.children.Colon) {
        const arg = this.namedArg(n);
        if (arg) {
          args.push(arg);
          firstNamed ??= arg;
        }
        continue;
      }
      const value = this.expression(nodeOf(n, 'positional'));
      if (!value) continue;
      if (firstNamed) {
        this.diagnostics.push(
          error('LPC1021', 'a positional argument cannot follow a named argument', value.span, {
            notes: [
              {
                message: `the first named argument is \`${firstNamed.name.name}\``,
                span: firstNamed.span,
              },
            ],
            hint: 'put the inputs first, then the `name: value` arguments',
          }),
        );
      }
      args.push({ kind: 'PositionalArgument', value, span: value.span });
    }
    return args;
  }

  /** A `namedArg` node, or an `argument` node of the named form (same `name`/`value` labels). */
  namedArg(node: CstNode): NamedArgument | undefined {
    const name = this.identifier(tokenOf(node, 'name'));
    const value = this.expression(nodeOf(node, 'value'));
    if (!name || !value) return undefined;
    return {
      kind: 'NamedArgument',
      name,
      value,
      span: spanFrom(name.span, value.span),
    };
  }
}
