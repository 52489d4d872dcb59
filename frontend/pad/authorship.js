// Authorship, as in Etherpad: every piece of text remembers who wrote it (a mark named
// "author", stored by Yjs as a formatting attribute {author: {id}}), each author has a
// colour, and each reader chooses whether to see the colours.
import { Extension, Mark } from "@tiptap/core";
import { Plugin, PluginKey } from "@tiptap/pm/state";
import { ySyncPluginKey } from "@tiptap/y-tiptap";

export const authorshipKey = new PluginKey("authorship");

export const Author = Mark.create({
  name: "author",
  // Outside the other marks: one coloured run per author, whatever its formatting.
  priority: 1100,
  // Not "code", whose mark excludes every other: code written by someone still has an author.
  excludes: "author",

  addOptions() {
    return { authorId: null };
  },

  addAttributes() {
    return {
      id: {
        default: null,
        parseHTML: (element) => element.getAttribute("data-author"),
        renderHTML: (attributes) => (attributes.id ? { "data-author": attributes.id } : {}),
      },
    };
  },

  parseHTML() {
    return [{ tag: "span[data-author]" }];
  },

  renderHTML({ HTMLAttributes }) {
    return ["span", { ...HTMLAttributes, class: "author" }, 0];
  },

  addProseMirrorPlugins() {
    const authorId = this.options.authorId;
    if (!authorId) return [];
    return [
      new Plugin({
        key: authorshipKey,
        // Text that the local user inserts (typed, pasted, dropped) takes their mark. Changes
        // coming from Yjs (other people, undo, the first load) carry ySyncPluginKey: they
        // keep the authors they have.
        appendTransaction(transactions, _oldState, newState) {
          const markType = newState.schema.marks.author;
          let ranges = [];
          for (const tr of transactions) {
            const local = !tr.getMeta(ySyncPluginKey) && !tr.getMeta(authorshipKey);
            for (const map of tr.mapping.maps) {
              ranges = ranges
                .map(([from, to]) => [map.map(from, 1), map.map(to, -1)])
                .filter(([from, to]) => from < to);
              if (local) {
                map.forEach((_oldStart, _oldEnd, from, to) => {
                  if (to > from) ranges.push([from, to]);
                });
              }
            }
          }
          if (ranges.length === 0) return null;
          const mark = markType.create({ id: authorId });
          const tr = newState.tr;
          for (const [from, to] of ranges) tr.addMark(from, to, mark);
          if (!tr.docChanged) return null;
          tr.setMeta(authorshipKey, true);
          return tr;
        },
      }),
    ];
  },
});

/** Removes every author mark of the document, as one change (undo brings them back). */
export const ClearAuthorship = Extension.create({
  name: "clearAuthorship",
  addCommands() {
    return {
      clearAuthorship:
        () =>
        ({ tr, state, dispatch }) => {
          if (dispatch) {
            tr.removeMark(0, state.doc.content.size, state.schema.marks.author);
            tr.setMeta(authorshipKey, true);
          }
          return true;
        },
    };
  },
});

/** The author ids present in a ProseMirror document. */
export function authorsInDoc(doc) {
  const found = new Set();
  doc.descendants((node) => {
    for (const mark of node.marks) {
      if (mark.type.name === "author" && mark.attrs.id) found.add(mark.attrs.id);
    }
  });
  return found;
}

const COLOUR = /^#[0-9a-f]{6}$/i;

/**
 * Each author's colour as a CSS custom property, in a constructed stylesheet: the page's
 * policy forbids inline styles, and one rule per author keeps the text's DOM free of them.
 */
export class AuthorColours {
  constructor() {
    this.colours = new Map();
    this.sheet = new CSSStyleSheet();
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, this.sheet];
  }

  set(id, colour) {
    if (!id || !COLOUR.test(colour || "") || this.colours.get(id) === colour) return;
    this.colours.set(id, colour);
    const rules = [];
    for (const [author, value] of this.colours) {
      rules.push(`[data-author="${CSS.escape(author)}"]{--author-colour:${value}}`);
    }
    this.sheet.replaceSync(rules.join("\n"));
  }
}
