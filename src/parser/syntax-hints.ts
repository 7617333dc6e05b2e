/**
 * What each construct looks like, keyed by grammar rule: the hint for a syntax error whose code
 * has no more specific one. The innermost rule that was being parsed picks the line.
 */
const RULE_HINTS: Readonly<Record<string, string>> = {
  importDecl: 'an import is `import "other.lpnet"`, relative to this file',
  typeAliasDecl: 'a type alias is `type W8 = fixed<2, 6>`',
  netDecl: 'a net is `net Name(batch: int = 64) { ... }`',
  blockDecl: 'a block is `block name(x, filters: int) { ... return x }`',
  paramList: 'parameters are `(x, filters: int, convs: int = 2, W: type = fixed<2, 6>)`',
  param: 'a parameter is `name: int`, `name: float = 0.5`, `W: type = fixed<2, 6>` or, in a block, a bare tensor name',
  trainDecl: 'a train section is `train Net { optimizer sgd(lr: 0.01) batch 64 }`',
  trainSetting: 'a setting is a key and a value: `batch 64`, `schedule inv(gamma: 1e-4, power: 0.75)`',
  inputStmt: 'an input is `input image: f32[batch, 1, 28, 28]`',
  markerStmt: '`output probs = softmax(x)`, `loss l = softmax_cross_entropy(x, label)`, or `output x` to mark a value',
  repeatStmt: 'a repeat is `repeat count as i { ... }` (`as i` is optional)',
  returnStmt: 'a return is `return expr` or `return expr -> Type`',
  letStmt: 'a binding is `name = expr` or `name = expr -> Type`',
  outType: 'an output type is `-> A8` or `-> fixed<4, 4>`',
  fixedType: 'a fixed-point type is `fixed<I, F>` or `fixed<I, F, round: stochastic, overflow: saturate>`',
  listExpr: 'a list is `[1, 2, 3]`',
  parenExpr: 'parentheses hold one expression: `(a + b)`',
  nameOrCall: 'a call is `op(input, name: value, ...)`: inputs first, then named arguments',
  argument: 'a call is `op(input, name: value, ...)`: inputs first, then named arguments',
  namedArg: 'a named argument is `name: value`',
};

/** The hint for the innermost rule on the stack that has one. */
export function hintForRuleStack(ruleStack: readonly string[]): string | undefined {
  for (let i = ruleStack.length - 1; i >= 0; i--) {
    const hint = RULE_HINTS[ruleStack[i]];
    if (hint !== undefined) return hint;
  }
  return undefined;
}
