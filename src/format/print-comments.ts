import type { AstPath, Doc } from 'prettier';
import { builders } from 'prettier/doc';
import { commentText, type LpnetNode } from './comments.js';
import { isNextLineBlank, isPreviousLineBlank, startsOwnLine } from './source-text.js';

/**
 * Printing the leading and trailing comments of a node (the printer tells prettier it prints its
 * own comments). The difference from prettier's generic printing is where a comment that trails
 * a node on a line of its own goes: prettier indents it like the place it was attached to, which
 * may be deep inside an expression, while a second run would attach it to the statement or list
 * element around it. Here it goes to that enclosing line's indentation (`dedentToRoot`, with
 * `markAsRoot` set by the printer on every statement, setting, item and list element), so the
 * second run finds it where it already is.
 */

const { hardline, lineSuffix, breakParent, dedentToRoot } = builders;

export function printWithComments(path: AstPath<LpnetNode>, doc: Doc, text: string): Doc {
  const comments = path.node.comments;
  if (!comments || comments.length === 0) return doc;
  const leading: Doc[] = [];
  const trailing: Doc[] = [];
  for (const c of comments) {
    if (c.leading) {
      c.printed = true;
      leading.push(commentText(c), hardline, isNextLineBlank(text, c.span.end.offset) ? hardline : '');
    } else if (c.trailing) {
      c.printed = true;
      const start = c.span.start.offset;
      // After one trailing comment the line is taken: any further one goes on a line of its own.
      if (trailing.length > 0 || startsOwnLine(text, start)) {
        const blank = isPreviousLineBlank(text, start) ? hardline : '';
        trailing.push(lineSuffix(dedentToRoot([hardline, blank, commentText(c)])), breakParent);
      } else {
        trailing.push(lineSuffix([' ', commentText(c)]), breakParent);
      }
    }
    // Dangling comments are printed by the node's own printer (bodies, empty calls and lists).
  }
  return [leading, doc, trailing];
}
