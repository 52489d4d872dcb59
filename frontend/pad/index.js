// The pad page: a Tiptap editor bound to the pad's Yjs document, kept in sync with the
// server by our provider; authorship colours, other people's cursors, images and tables.
import { Editor, Extension } from "@tiptap/core";
import StarterKit from "@tiptap/starter-kit";
import { Code } from "@tiptap/extension-code";
import Collaboration from "@tiptap/extension-collaboration";
import CollaborationCaret from "@tiptap/extension-collaboration-caret";
import Image from "@tiptap/extension-image";
import { TaskItem, TaskList } from "@tiptap/extension-list";
import { TableKit } from "@tiptap/extension-table";
import { Placeholder } from "@tiptap/extensions";
import * as Y from "yjs";

import { Author, AuthorColours, ClearAuthorship, authorsInDoc } from "./authorship.js";
import { AuthorList } from "./authors.js";
import { Chat } from "./chat.js";
import { History } from "./history.js";
import { gettext } from "../i18n.js";
import { ImageUploader } from "./images.js";
import { PadProvider } from "./provider.js";
import { statusText } from "./saving.js";
import { buildToolbar, clearFormatting, promptLink } from "./toolbar.js";

const SHOW_COLOURS_KEY = "cartable.pad.showAuthorColours";
const COLOUR = /^#[0-9a-f]{6}$/i;

function padPage(root) {
  const data = root.dataset;
  const canEdit = data.canEdit === "true";
  const canClear = canEdit && data.canClear === "true";
  const padId = data.padId;
  const mount = root.querySelector("[data-pad-editor]");
  const statusElement = root.querySelector("[data-pad-status]");
  const side = root.querySelector(".pad-side");
  const authorsElement = root.querySelector("[data-pad-authors]");
  const base = `/pad/p/${encodeURIComponent(padId)}`;

  const self = {
    id: data.authorId || null,
    name: data.authorName || (canEdit ? gettext("Anonymous") : gettext("Reader")),
    color: COLOUR.test(data.authorColour || "") ? data.authorColour : "#e2e8f0",
    writer: canEdit,
  };

  // --- Connection and status ---------------------------------------------------------
  const doc = new Y.Doc();
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const provider = new PadProvider(`${scheme}//${location.host}${data.ws}`, doc, { canEdit });

  const showStatus = (status) => {
    statusElement.dataset.state = status;
    const text = statusText(status, { canEdit });
    if (statusElement.textContent !== text) statusElement.textContent = text;
  };
  provider.on("status", showStatus);
  showStatus(provider.status);
  window.addEventListener("beforeunload", (event) => {
    if (canEdit && provider.unsaved) {
      event.preventDefault();
      event.returnValue = gettext("Some changes are not saved yet.");
    }
  });

  const notice = document.createElement("p");
  notice.className = "pad-notice";
  notice.setAttribute("role", "status");
  notice.hidden = true;
  const announce = (text, isError = false) => {
    notice.textContent = text;
    notice.hidden = !text;
    notice.classList.toggle("is-error", isError);
    if (isError) setTimeout(() => announce(""), 8000);
  };

  // --- Authors: colours, list, toggle ---------------------------------------------------
  const colours = new AuthorColours();
  const authorList = new AuthorList(authorsElement, colours, {
    self,
    authorsUrl: `${base}/authors.json`,
  });
  provider.awareness.on("change", () =>
    authorList.setAwareness(provider.awareness.getStates(), doc.clientID),
  );

  const authorTools = document.createElement("div");
  authorTools.className = "pad-author-tools";
  const toggleLabel = document.createElement("label");
  toggleLabel.className = "pad-switch";
  const toggle = document.createElement("input");
  toggle.type = "checkbox";
  toggle.setAttribute("role", "switch");
  toggle.dataset.padShowColours = "";
  let stored = null;
  try {
    stored = localStorage.getItem(SHOW_COLOURS_KEY);
  } catch {
    stored = null;
  }
  toggle.checked = stored !== "false";
  const applyColours = () => {
    root.classList.toggle("pad-show-authors", toggle.checked);
    try {
      localStorage.setItem(SHOW_COLOURS_KEY, String(toggle.checked));
    } catch {
      // Private browsing: the choice lasts as long as the page.
    }
  };
  toggle.addEventListener("change", applyColours);
  applyColours();
  toggleLabel.append(toggle, " ", gettext("Show author colours"));
  authorTools.append(toggleLabel);
  authorsElement.closest("section").append(authorTools);

  // --- Editor -----------------------------------------------------------------------
  let editor = null;
  const toolbarElement = document.createElement("div");
  toolbarElement.className = "pad-toolbar";

  const createEditor = () => {
    if (editor) return;
    for (const fallback of mount.querySelectorAll("noscript")) fallback.remove();
    const surface = document.createElement("div");
    surface.className = "pad-surface";
    surface.hidden = history.isOpen;
    mount.prepend(surface);
    const uploader = canEdit
      ? new ImageUploader({
          editor: null,
          uploadUrl: `${base}/images`,
          csrfToken: data.csrf,
          announce,
        })
      : null;

    const Shortcuts = Extension.create({
      name: "padShortcuts",
      addKeyboardShortcuts() {
        return {
          "Mod-k": () => {
            promptLink(this.editor);
            return true;
          },
          "Mod-\\": () => {
            clearFormatting(this.editor);
            return true;
          },
          "Alt-F10": () => {
            const first = toolbarElement.querySelector("[tabindex='0']");
            if (first) first.focus();
            return Boolean(first);
          },
        };
      },
    });

    editor = new Editor({
      element: surface,
      editable: canEdit,
      injectCSS: false,
      extensions: [
        ...schemaExtensions({ live: canEdit }),
        Placeholder.configure({ placeholder: canEdit ? gettext("Write here…") : "" }),
        Collaboration.configure({ document: doc, field: "default" }),
        CollaborationCaret.configure({
          provider,
          user: self,
          render: renderCaret,
          selectionRender: renderSelection,
        }),
        Author.configure({ authorId: canEdit ? self.id : null }),
        ClearAuthorship,
        Shortcuts,
      ],
      editorProps: {
        attributes: {
          id: "pad-text",
          class: "pad-text",
          role: "textbox",
          "aria-multiline": "true",
          "aria-label": document.querySelector(".pad-title")?.textContent || "Pad",
          ...(canEdit ? {} : { "aria-readonly": "true" }),
          spellcheck: "true",
        },
        handlePaste: (view, event) => (uploader ? uploader.handlePaste(view, event) : false),
        handleDrop: (view, event, slice, moved) =>
          uploader ? uploader.handleDrop(view, event, slice, moved) : false,
      },
    });

    if (uploader) uploader.editor = editor;
    mount.prepend(notice);
    if (canEdit) {
      mount.prepend(toolbarElement);
      buildToolbar(toolbarElement, editor, { onImage: () => uploader.choose() });
    }
    mount.classList.add("is-ready");

    let scan = null;
    const scanAuthors = () => {
      clearTimeout(scan);
      scan = setTimeout(() => authorList.setInText(authorsInDoc(editor.state.doc)), 250);
    };
    editor.on("update", scanAuthors);
    editor.on("transaction", ({ transaction }) => {
      if (transaction.docChanged) scanAuthors();
    });
    authorList.setInText(authorsInDoc(editor.state.doc));
    authorList.fetchAuthors();
  };

  // --- History and chat ----------------------------------------------------------------
  const history = new History({
    mount,
    base,
    csrf: data.csrf,
    colours,
    extensions: () => [...schemaExtensions({ live: false }), Author],
    onOpen: () => {
      for (const element of mount.children) {
        if (element !== history.panel) element.hidden = true;
      }
      historyButton.setAttribute("aria-expanded", "true");
    },
    onClose: () => {
      for (const element of mount.children) {
        if (element !== history.panel && element !== notice) element.hidden = false;
      }
      notice.hidden = !notice.textContent;
      historyButton.setAttribute("aria-expanded", "false");
      historyButton.focus();
    },
  });
  const historyButton = document.createElement("button");
  historyButton.type = "button";
  historyButton.className = "button pad-history-open";
  historyButton.textContent = gettext("History");
  historyButton.setAttribute("aria-expanded", "false");
  historyButton.addEventListener("click", () => (history.isOpen ? history.close() : history.open()));
  statusElement.after(historyButton);

  new Chat({
    side,
    provider,
    colours,
    canChat: data.canChat === "true" && Boolean(self.id),
    selfId: self.id,
  });

  if (canClear) {
    const clear = document.createElement("button");
    clear.type = "button";
    clear.className = "button pad-clear-authors";
    clear.textContent = gettext("Clear authorship colours");
    clear.addEventListener("click", () => {
      const question = gettext("Clear the author colours of the whole text? (Undo reverts it.)");
      if (editor && window.confirm(question)) {
        editor.chain().focus().clearAuthorship().run();
      }
    });
    authorTools.append(clear);
  }

  // The text is shown once the server's copy is here, so that nothing flashes or
  // duplicates; if the server cannot be reached, the editor opens anyway (offline).
  provider.on("synced", createEditor);
  setTimeout(createEditor, 4000);
  return { provider, doc, side };
}

/** The document's schema: the live editor and the history viewer render the same nodes. */
function schemaExtensions({ live }) {
  return [
    StarterKit.configure({
      undoRedo: false, // Yjs undo: each person undoes their own changes
      code: false,
      trailingNode: live ? {} : false,
      dropcursor: live ? {} : false,
      link: {
        openOnClick: false,
        autolink: live,
        defaultProtocol: "https",
        HTMLAttributes: { rel: "noopener noreferrer nofollow", target: "_blank" },
      },
      heading: { levels: [1, 2, 3] },
    }),
    // Code text still shows who wrote it: it excludes the formatting marks, not authors.
    Code.extend({ excludes: "bold italic underline strike" }),
    TaskList,
    TaskItem.configure({ nested: true }),
    TableKit.configure({ table: { resizable: false } }),
    Image.configure({ allowBase64: false }),
  ];
}

function renderCaret(user) {
  const caret = document.createElement("span");
  caret.className = "collaboration-carets__caret";
  // The colour goes through the CSSOM (allowed by the page's policy), never a style attribute.
  if (user.id) caret.dataset.author = user.id;
  else caret.style.setProperty("--author-colour", user.color);
  const label = document.createElement("span");
  label.className = "collaboration-carets__label";
  label.textContent = user.name;
  caret.append(label);
  return caret;
}

function renderSelection(user) {
  return {
    class: "collaboration-carets__selection",
    ...(user.id ? { "data-author": user.id } : { style: `--author-colour: ${user.color}` }),
  };
}

const root = document.getElementById("pad");
if (root) padPage(root);
