// Progressive enhancement only: every page works without this script.

function connectEvents() {
  const url = document.body.dataset.events;
  if (!url || !("WebSocket" in window)) return;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  let delay = 1000;
  const open = () => {
    const socket = new WebSocket(`${scheme}//${location.host}${url}`);
    socket.addEventListener("open", () => { delay = 1000; });
    socket.addEventListener("message", (message) => {
      const event = JSON.parse(message.data);
      document.dispatchEvent(new CustomEvent("cartable:event", { detail: event }));
      if ("unread" in event) setUnread(event.unread);
      if (event.type === "notification") toast(event.title, event.url);
    });
    socket.addEventListener("close", (closing) => {
      if (closing.code === 4401) return;
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 30000);
    });
  };
  open();
}

function setUnread(count) {
  for (const badge of document.querySelectorAll("[data-unread]")) {
    const label = badge.querySelector(".visually-hidden");
    badge.textContent = ` ${count}`;
    if (label) badge.prepend(label);
    badge.hidden = count === 0;
  }
}

function toast(text, href) {
  const box = document.createElement("div");
  box.className = "toast";
  box.setAttribute("role", "status");
  const link = document.createElement(href ? "a" : "span");
  link.textContent = text;
  if (href) link.href = href;
  box.append(link);
  document.body.append(box);
  setTimeout(() => box.remove(), 6000);
}

function drawBars() {
  for (const bar of document.querySelectorAll(".bar[data-pct]")) {
    bar.style.width = `${Math.max(2, Number(bar.dataset.pct)) * 0.6}%`;
  }
}

connectEvents();
drawBars();
