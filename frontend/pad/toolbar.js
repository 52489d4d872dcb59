// The formatting toolbar: real buttons with labels, aria-pressed and keyboard shortcuts, one
// tab stop (arrow keys move inside it, as the ARIA toolbar pattern says), wrapping on wide
// screens and scrolling sideways on phones.
import {
  BetweenHorizontalEnd,
  BetweenVerticalEnd,
  Bold,
  Code,
  createElement,
  ImagePlus,
  Italic,
  Link,
  List,
  ListIndentDecrease,
  ListIndentIncrease,
  ListOrdered,
  ListTodo,
  Redo2,
  RemoveFormatting,
  Rows3,
  SquareCode,
  Strikethrough,
  Table,
  TextQuote,
  Trash2,
  Underline,
  Undo2,
} from "lucide";
import { askText } from "./ask.js";
import { gettext, pgettext } from "../i18n.js";

const mac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

function shortcutLabel(keys) {
  return keys
    .replace("Mod", mac ? "⌘" : "Ctrl")
    .replace("Alt", mac ? "⌥" : "Alt")
    .replace("Shift", mac ? "⇧" : pgettext("keyboard key", "Shift"))
    .replaceAll("-", "+");
}

function ariaShortcut(keys) {
  return keys.replace("Mod", mac ? "Meta" : "Control").replaceAll("-", "+");
}

// Formatting marks that "clear formatting" removes: never the author mark.
export const FORMATTING_MARKS = ["bold", "italic", "underline", "strike", "code", "link"];

function chain(editor) {
  return editor.chain().focus();
}

export async function promptLink(editor) {
  const previous = editor.getAttributes("link").href || "";
  const href = await askText(gettext("Link address (empty to remove it):"), previous || "https://", {
    type: "url",
  });
  if (href === null) return;
  const clean = href.trim();
  if (clean === "" || clean === "https://") {
    chain(editor).extendMarkRange("link").unsetLink().run();
  } else {
    chain(editor).extendMarkRange("link").setLink({ href: clean }).run();
  }
}

export function clearFormatting(editor) {
  let c = chain(editor);
  for (const mark of FORMATTING_MARKS) c = c.unsetMark(mark, { extendEmptyMarkRange: true });
  c.clearNodes().run();
}

/**
 * Builds the toolbar into ``container``.
 * @param {import("@tiptap/core").Editor} editor
 * @param {{onImage: () => void}} actions
 */
export function buildToolbar(container, editor, { onImage }) {
  container.setAttribute("role", "toolbar");
  container.setAttribute("aria-label", gettext("Formatting"));
  container.setAttribute("aria-controls", editor.view.dom.id);
  const controls = [];

  const group = (extraClass = "") => {
    const g = document.createElement("div");
    g.className = `pad-toolbar-group ${extraClass}`.trim();
    container.append(g);
    return g;
  };

  const button = (parent, { name, label, icon, keys, run, active, enabled }) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "pad-tool";
    b.dataset.tool = name;
    b.setAttribute("aria-label", label);
    b.title = keys ? `${label} (${shortcutLabel(keys)})` : label;
    if (keys) b.setAttribute("aria-keyshortcuts", ariaShortcut(keys));
    b.append(createElement(icon, { "aria-hidden": "true", focusable: "false" }));
    b.addEventListener("click", () => run());
    // Keep the editor's selection: a click on a button must not blur the text.
    b.addEventListener("mousedown", (event) => event.preventDefault());
    parent.append(b);
    controls.push({ element: b, active, enabled });
    return b;
  };

  // History
  const history = group();
  button(history, {
    name: "undo",
    label: gettext("Undo"),
    icon: Undo2,
    keys: "Mod-z",
    run: () => chain(editor).undo().run(),
    enabled: () => editor.can().undo(),
  });
  button(history, {
    name: "redo",
    label: gettext("Redo"),
    icon: Redo2,
    keys: "Mod-Shift-z",
    run: () => chain(editor).redo().run(),
    enabled: () => editor.can().redo(),
  });

  // Paragraph style
  const blocks = group();
  const select = document.createElement("select");
  select.className = "pad-block-type";
  select.setAttribute("aria-label", gettext("Paragraph style"));
  select.title = gettext("Paragraph style");
  for (const [value, label] of [
    ["paragraph", gettext("Text")],
    ["1", gettext("Heading 1")],
    ["2", gettext("Heading 2")],
    ["3", gettext("Heading 3")],
  ]) {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = label;
    select.append(option);
  }
  select.addEventListener("change", () => {
    if (select.value === "paragraph") chain(editor).setParagraph().run();
    else chain(editor).setHeading({ level: Number(select.value) }).run();
  });
  blocks.append(select);
  controls.push({
    element: select,
    sync: () => {
      let value = "paragraph";
      for (const level of [1, 2, 3]) {
        if (editor.isActive("heading", { level })) value = String(level);
      }
      select.value = value;
      select.disabled = !editor.isEditable;
    },
  });

  // Marks
  const marks = group();
  const mark = (name, label, icon, keys, command) =>
    button(marks, {
      name,
      label,
      icon,
      keys,
      run: () => chain(editor)[command]().run(),
      active: () => editor.isActive(name),
      enabled: () => editor.can()[command](),
    });
  mark("bold", gettext("Bold"), Bold, "Mod-b", "toggleBold");
  mark("italic", gettext("Italic"), Italic, "Mod-i", "toggleItalic");
  mark("underline", gettext("Underline"), Underline, "Mod-u", "toggleUnderline");
  mark("strike", gettext("Strikethrough"), Strikethrough, "Mod-Shift-s", "toggleStrike");
  mark("code", gettext("Code"), Code, "Mod-e", "toggleCode");

  // Lists
  const lists = group();
  const listItemType = () => (editor.isActive("taskItem") ? "taskItem" : "listItem");
  button(lists, {
    name: "bulletList",
    label: gettext("Bulleted list"),
    icon: List,
    keys: "Mod-Shift-8",
    run: () => chain(editor).toggleBulletList().run(),
    active: () => editor.isActive("bulletList"),
  });
  button(lists, {
    name: "orderedList",
    label: gettext("Numbered list"),
    icon: ListOrdered,
    keys: "Mod-Shift-7",
    run: () => chain(editor).toggleOrderedList().run(),
    active: () => editor.isActive("orderedList"),
  });
  button(lists, {
    name: "taskList",
    label: gettext("Check list"),
    icon: ListTodo,
    keys: "Mod-Shift-9",
    run: () => chain(editor).toggleTaskList().run(),
    active: () => editor.isActive("taskList"),
  });
  button(lists, {
    name: "outdent",
    label: gettext("Outdent"),
    icon: ListIndentDecrease,
    keys: "Shift-Tab",
    run: () => chain(editor).liftListItem(listItemType()).run(),
    enabled: () => editor.can().liftListItem(listItemType()),
  });
  button(lists, {
    name: "indent",
    label: gettext("Indent"),
    icon: ListIndentIncrease,
    keys: "Tab",
    run: () => chain(editor).sinkListItem(listItemType()).run(),
    enabled: () => editor.can().sinkListItem(listItemType()),
  });

  // Blocks and inserts
  const inserts = group();
  button(inserts, {
    name: "link",
    label: gettext("Link"),
    icon: Link,
    keys: "Mod-k",
    run: () => promptLink(editor),
    active: () => editor.isActive("link"),
  });
  button(inserts, {
    name: "blockquote",
    label: gettext("Quote"),
    icon: TextQuote,
    keys: "Mod-Shift-b",
    run: () => chain(editor).toggleBlockquote().run(),
    active: () => editor.isActive("blockquote"),
  });
  button(inserts, {
    name: "codeBlock",
    label: gettext("Code block"),
    icon: SquareCode,
    keys: "Mod-Alt-c",
    run: () => chain(editor).toggleCodeBlock().run(),
    active: () => editor.isActive("codeBlock"),
  });
  button(inserts, {
    name: "insertTable",
    label: gettext("Insert a table"),
    icon: Table,
    run: () => chain(editor).insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run(),
    enabled: () => editor.can().insertTable({ rows: 3, cols: 3, withHeaderRow: true }),
  });
  button(inserts, { name: "image", label: gettext("Image"), icon: ImagePlus, run: onImage });

  button(group(), {
    name: "clearFormatting",
    label: gettext("Clear formatting"),
    icon: RemoveFormatting,
    keys: "Mod-\\",
    run: () => clearFormatting(editor),
  });

  // Table tools, shown while the cursor is in a table.
  const table = group("pad-table-tools");
  table.setAttribute("aria-label", gettext("Table"));
  table.setAttribute("role", "group");
  const tableTool = (name, label, icon, command) =>
    button(table, {
      name,
      label,
      icon,
      run: () => chain(editor)[command]().run(),
      enabled: () => editor.can()[command](),
    });
  tableTool("addRowAfter", gettext("Add a row"), BetweenHorizontalEnd, "addRowAfter");
  tableTool("addColumnAfter", gettext("Add a column"), BetweenVerticalEnd, "addColumnAfter");
  tableTool("deleteRow", gettext("Delete the row"), Rows3, "deleteRow");
  tableTool("deleteColumn", gettext("Delete the column"), Trash2, "deleteColumn");
  button(table, {
    name: "toggleHeaderRow",
    label: gettext("Header row"),
    icon: Rows3,
    run: () => chain(editor).toggleHeaderRow().run(),
    active: () => editor.isActive("tableHeader"),
  });
  button(table, {
    name: "deleteTable",
    label: gettext("Delete the table"),
    icon: Trash2,
    run: () => chain(editor).deleteTable().run(),
  });
  controls.push({
    element: table,
    sync: () => {
      table.hidden = !editor.isActive("table");
    },
  });

  // Roving tab index: one tab stop, arrows inside.
  let current = 0;
  const focusables = () =>
    [...container.querySelectorAll("button, select")].filter(
      (element) => !element.disabled && !element.closest("[hidden]"),
    );
  const setCurrent = (element) => {
    for (const item of focusables()) item.tabIndex = item === element ? 0 : -1;
  };
  container.addEventListener("focusin", (event) => {
    setCurrent(event.target);
  });
  container.addEventListener("keydown", (event) => {
    const items = focusables();
    current = items.indexOf(document.activeElement);
    let next = null;
    if (event.key === "ArrowRight") next = (current + 1) % items.length;
    else if (event.key === "ArrowLeft") next = (current - 1 + items.length) % items.length;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = items.length - 1;
    else if (event.key === "Escape") {
      editor.commands.focus();
      event.preventDefault();
      return;
    }
    if (next === null) return;
    event.preventDefault();
    items[next].focus();
  });

  const sync = () => {
    for (const control of controls) {
      if (control.sync) {
        control.sync();
        continue;
      }
      if (control.active) control.element.setAttribute("aria-pressed", String(control.active()));
      if (control.enabled) control.element.disabled = !editor.isEditable || !control.enabled();
    }
    const items = focusables();
    if (!items.some((item) => item.tabIndex === 0)) setCurrent(items[0]);
  };
  editor.on("transaction", sync);
  editor.on("focus", sync);
  sync();
  return { sync };
}
