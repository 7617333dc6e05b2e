import { CstParser, type CstNode, type IOrAlt, type IToken, type TokenType } from 'chevrotain';
import * as T from './lexer.js';
import { lpnetErrorMessages } from './error-messages.js';

/**
 * The .lpnet grammar as a Chevrotain CstParser, with no embedded actions: it only builds a
 * concrete syntax tree, and src/parser/cst-to-ast.ts gives it meaning. Error recovery is on so
 * one run reports several independent mistakes and still returns the later items.
 *
 * Labels (`LABEL`) name the children the AST builder reads, because Chevrotain groups a CST
 * node's children by name and the builder must not depend on token order inside a group.
 */
export class LpnetParser extends CstParser {
  // Arrays of alternatives are built once and reused: a fresh array (and closures) per OR call
  // is the main allocation cost of a Chevrotain parse (Chevrotain's own performance advice).
  private programAlts?: IOrAlt<unknown>[];
  private itemAlts?: IOrAlt<unknown>[];
  private paramKindAlts?: IOrAlt<unknown>[];
  private trainAlts?: IOrAlt<unknown>[];
  private bodyAlts?: IOrAlt<unknown>[];
  private statementAlts?: IOrAlt<unknown>[];
  private markerAlts?: IOrAlt<unknown>[];
  private typeAlts?: IOrAlt<unknown>[];
  private operandAlts?: IOrAlt<unknown>[];
  private argumentAlts?: IOrAlt<unknown>[];

  constructor() {
    super(T.ALL_TOKENS as TokenType[], {
      recoveryEnabled: true,
      nodeLocationTracking: 'full',
      maxLookahead: 3,
      errorMessageProvider: lpnetErrorMessages,
    });
    this.performSelfAnalysis();
  }

  // ----------------------------------------------------------------------------------------
  // Top level

  public program = this.RULE('program', () => {
    this.MANY(() => {
      this.OR(
        (this.programAlts ??= [{ ALT: () => this.SUBRULE(this.item) }, { ALT: () => this.CONSUME(T.Semicolon) }]),
      );
    });
  });

  public item = this.RULE('item', () => {
    this.OR(
      (this.itemAlts ??= [
        { ALT: () => this.SUBRULE(this.importDecl) },
        { ALT: () => this.SUBRULE(this.typeAliasDecl) },
        { ALT: () => this.SUBRULE(this.netDecl) },
        { ALT: () => this.SUBRULE(this.blockDecl) },
        { ALT: () => this.SUBRULE(this.trainDecl) },
      ]),
    );
  });

  public importDecl = this.RULE('importDecl', () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLit, { LABEL: 'path' });
  });

  public typeAliasDecl = this.RULE('typeAliasDecl', () => {
    this.CONSUME(T.Type);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.typeExpr, { LABEL: 'type' });
  });

  public netDecl = this.RULE('netDecl', () => {
    this.CONSUME(T.Net);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => this.SUBRULE(this.paramList, { LABEL: 'params' }));
    this.SUBRULE(this.body);
  });

  public blockDecl = this.RULE('blockDecl', () => {
    this.CONSUME(T.Block);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => this.SUBRULE(this.paramList, { LABEL: 'params' }));
    this.SUBRULE(this.body);
  });

  public paramList = this.RULE('paramList', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.param);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.param);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  /** `filters: int = 64`, `W: type = fixed<2, 2>`, or a bare tensor parameter `x`. */
  public param = this.RULE('param', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.OR(
        (this.paramKindAlts ??= [
          { ALT: () => this.CONSUME2(T.Identifier, { LABEL: 'kind' }) },
          { ALT: () => this.CONSUME(T.Type, { LABEL: 'kind' }) },
        ]),
      );
    });
    this.OPTION2(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expression, { LABEL: 'default' });
    });
  });

  public trainDecl = this.RULE('trainDecl', () => {
    this.CONSUME(T.Train);
    this.CONSUME(T.Identifier, { LABEL: 'net' });
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.OR(
        (this.trainAlts ??= [{ ALT: () => this.SUBRULE(this.trainSetting) }, { ALT: () => this.CONSUME(T.Semicolon) }]),
      );
    });
    this.CONSUME(T.RCurly);
  });

  /** `optimizer sgd(lr: 0.01)`, `batch 64`: a key and one expression. */
  public trainSetting = this.RULE('trainSetting', () => {
    this.CONSUME(T.Identifier, { LABEL: 'key' });
    this.SUBRULE(this.expression, { LABEL: 'value' });
  });

  // ----------------------------------------------------------------------------------------
  // Statements

  public body = this.RULE('body', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.OR(
        (this.bodyAlts ??= [{ ALT: () => this.SUBRULE(this.statement) }, { ALT: () => this.CONSUME(T.Semicolon) }]),
      );
    });
    this.CONSUME(T.RCurly);
  });

  public statement = this.RULE('statement', () => {
    this.OR(
      (this.statementAlts ??= [
        { ALT: () => this.SUBRULE(this.inputStmt) },
        { ALT: () => this.SUBRULE(this.markerStmt) },
        { ALT: () => this.SUBRULE(this.repeatStmt) },
        { ALT: () => this.SUBRULE(this.returnStmt) },
        { ALT: () => this.SUBRULE(this.letStmt) },
      ]),
    );
  });

  public inputStmt = this.RULE('inputStmt', () => {
    this.CONSUME(T.Input);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeExpr, { LABEL: 'dtype' });
    this.SUBRULE(this.listExpr, { LABEL: 'shape' });
  });

  public markerStmt = this.RULE('markerStmt', () => {
    this.OR(
      (this.markerAlts ??= [
        { ALT: () => this.CONSUME(T.Output, { LABEL: 'marker' }) },
        { ALT: () => this.CONSUME(T.Loss, { LABEL: 'marker' }) },
      ]),
    );
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expression, { LABEL: 'value' });
      this.OPTION2(() => this.SUBRULE(this.outType));
    });
  });

  public repeatStmt = this.RULE('repeatStmt', () => {
    this.CONSUME(T.Repeat);
    this.SUBRULE(this.expression, { LABEL: 'count' });
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.CONSUME(T.Identifier, { LABEL: 'index' });
    });
    this.SUBRULE(this.body);
  });

  public returnStmt = this.RULE('returnStmt', () => {
    this.CONSUME(T.Return);
    this.SUBRULE(this.expression, { LABEL: 'value' });
    this.OPTION(() => this.SUBRULE(this.outType));
  });

  public letStmt = this.RULE('letStmt', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression, { LABEL: 'value' });
    this.OPTION(() => this.SUBRULE(this.outType));
  });

  /** `-> A8`: the declared output type of a binding. */
  public outType = this.RULE('outType', () => {
    this.CONSUME(T.Arrow);
    this.SUBRULE(this.typeExpr, { LABEL: 'type' });
  });

  // ----------------------------------------------------------------------------------------
  // Types

  public typeExpr = this.RULE('typeExpr', () => {
    this.OR(
      (this.typeAlts ??= [
        { ALT: () => this.SUBRULE(this.fixedType) },
        { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'name' }) },
      ]),
    );
  });

  /** `fixed<I, F>` with optional named options after the two bit counts. */
  public fixedType = this.RULE('fixedType', () => {
    this.CONSUME(T.Fixed);
    this.CONSUME(T.Less);
    this.SUBRULE(this.expression, { LABEL: 'intBits' });
    this.CONSUME(T.Comma);
    this.SUBRULE2(this.expression, { LABEL: 'fracBits' });
    this.MANY(() => {
      this.CONSUME2(T.Comma);
      this.SUBRULE(this.namedArg, { LABEL: 'option' });
    });
    this.OPTION(() => this.CONSUME3(T.Comma));
    this.CONSUME(T.Greater);
  });

  // ----------------------------------------------------------------------------------------
  // Expressions. The grammar reads a flat chain `operand (operator operand)*` and the AST builder
  // applies precedence (`* / %` over `+ -`, left-associative). One CST level per operand instead
  // of one per precedence level keeps big nets fast to parse.

  public expression = this.RULE('expression', () => {
    this.SUBRULE(this.operand, { LABEL: 'operand' });
    this.MANY(() => {
      this.CONSUME(T.BinaryOperator, { LABEL: 'operator' });
      this.SUBRULE2(this.operand, { LABEL: 'operand' });
    });
  });

  /** Unary minuses, then a literal, `fixed<...>`, `(...)`, a list, a name, or a call. */
  public operand = this.RULE('operand', () => {
    this.MANY(() => this.CONSUME(T.Minus, { LABEL: 'negate' }));
    this.OR(
      (this.operandAlts ??= [
        { ALT: () => this.CONSUME(T.NumberLit) },
        { ALT: () => this.CONSUME(T.StringLit) },
        { ALT: () => this.CONSUME(T.True) },
        { ALT: () => this.CONSUME(T.False) },
        { ALT: () => this.SUBRULE(this.fixedType) },
        { ALT: () => this.SUBRULE(this.parenExpr) },
        { ALT: () => this.SUBRULE(this.listExpr) },
        { ALT: () => this.SUBRULE(this.nameOrCall) },
      ]),
    );
  });

  public parenExpr = this.RULE('parenExpr', () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RParen);
  });

  public listExpr = this.RULE('listExpr', () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.expression, { LABEL: 'item' });
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.expression, { LABEL: 'item' });
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RBracket);
  });

  /** A name, or a call of an op or block when `(` follows. */
  public nameOrCall = this.RULE('nameOrCall', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.OPTION2(() => {
        this.SUBRULE(this.argument);
        this.MANY(() => {
          this.CONSUME(T.Comma);
          this.SUBRULE2(this.argument);
        });
        this.OPTION3(() => this.CONSUME2(T.Comma));
      });
      this.CONSUME(T.RParen);
    });
  });

  /** `name: value` or a positional value (the named form is inlined: calls are the hot path). */
  public argument = this.RULE('argument', () => {
    this.OR(
      (this.argumentAlts ??= [
        {
          ALT: () => {
            this.CONSUME(T.Identifier, { LABEL: 'name' });
            this.CONSUME(T.Colon);
            this.SUBRULE(this.expression, { LABEL: 'value' });
          },
        },
        { ALT: () => this.SUBRULE2(this.expression, { LABEL: 'positional' }) },
      ]),
    );
  });

  public namedArg = this.RULE('namedArg', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expression, { LABEL: 'value' });
  });
}

/** One parser per process; `input` is reset for each parse (Chevrotain's intended reuse). */
let shared: LpnetParser | undefined;

export function lpnetParser(): LpnetParser {
  shared ??= new LpnetParser();
  return shared;
}

/** Parse a token vector into a CST. The caller reads `parser.errors` right after. */
export function parseTokens(tokens: IToken[]): {
  cst: CstNode;
  parser: LpnetParser;
} {
  const parser = lpnetParser();
  parser.input = tokens;
  const cst = parser.program();
  return { cst, parser };
}
