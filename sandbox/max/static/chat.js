// MAX-like chat page for the sandbox. Vanilla JS, no build step.
// All URLs are relative so the page works standalone (/chat) and mounted (/max/chat).
// Untrusted text is only ever inserted with textContent / DOM nodes, never innerHTML.
"use strict";

(() => {
  const I18N = {
    ru: {
      title: "Песочница MAX", subtitle: "Выберите, от чьего имени писать боту",
      personas: "Персонажи", others: "Другие пользователи", newUser: "Новый житель",
      newUserPlaceholder: "Имя нового жителя", pickUser: "Выберите собеседника слева",
      messagePlaceholder: "Сообщение…", send: "Отправить", attach: "Прикрепить фото или файлы",
      shareLocation: "Отправить геопозицию (демо)", shareContact: "Отправить свой контакт",
      back: "Назад", edited: "изменено", block: "Остановить бота", unblock: "Запустить снова",
      blocked: "бот остановлен", notStarted: "диалог не начат", bot: "бот", start: "Начать",
      location: "Геопозиция", contact: "Контакт", noMessages: "Сообщений пока нет", error: "Ошибка",
    },
    en: {
      title: "MAX sandbox", subtitle: "Choose who talks to the bot",
      personas: "Personas", others: "Other users", newUser: "New resident",
      newUserPlaceholder: "New resident's name", pickUser: "Pick a user on the left",
      messagePlaceholder: "Message…", send: "Send", attach: "Attach photos or files",
      shareLocation: "Share location (demo)", shareContact: "Share my contact",
      back: "Back", edited: "edited", block: "Stop the bot", unblock: "Start again",
      blocked: "bot is stopped", notStarted: "dialog not started", bot: "bot", start: "Start",
      location: "Location", contact: "Contact", noMessages: "No messages yet", error: "Error",
    },
  };
  const DEMO_LOCATION = { latitude: 55.751244, longitude: 37.618423 };
  const POLL_TIMEOUT = 25;
  const query = new URLSearchParams(location.search);
  const lang = I18N[query.get("lang")] ? query.get("lang") : (I18N[document.body.dataset.lang] ? document.body.dataset.lang : "ru");
  const t = (key) => I18N[lang][key] || I18N.ru[key] || key;
  const $ = (id) => document.getElementById(id);
  const state = { users: [], current: null, version: 0, shown: new Set(), poll: 0 };

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  async function api(path, options) {
    const response = await fetch("api/" + path, options);
    const body = await response.json().catch(() => ({ ok: false, error: response.statusText }));
    if (!body.ok) throw new Error(body.error || response.statusText);
    return body;
  }
  const postJson = (path, payload) => api(path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload || {}),
  });
  function toast(text, kind) {
    const node = el("div", "toast" + (kind ? " " + kind : ""), text);
    setTimeout(() => node.remove(), kind === "error" ? 5000 : 3000);
    $("toasts").appendChild(node);
  }
  const fail = (error) => toast(t("error") + ": " + error.message, "error");

  function applyLabels() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((n) => { n.placeholder = t(n.dataset.i18nPlaceholder); });
    document.querySelectorAll("[data-i18n-title]").forEach((n) => { n.title = t(n.dataset.i18nTitle); n.setAttribute("aria-label", n.title); });
  }
  const initials = (name) => (name || "?").split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]).join("").toUpperCase();

  // ---- users -----------------------------------------------------------------------------------
  async function loadUsers() {
    state.users = (await api("users")).users;
    const list = $("users");
    list.replaceChildren();
    const groups = [[t("personas"), state.users.filter((u) => u.persona)], [t("others"), state.users.filter((u) => !u.persona)]];
    for (const [title, users] of groups) {
      if (!users.length) continue;
      list.appendChild(el("li", "section", title));
      for (const user of users) {
        const item = el("li", "user" + (state.current && state.current.user_id === user.user_id ? " active" : ""));
        item.dataset.userId = user.user_id;
        item.appendChild(el("div", "avatar", initials(user.name)));
        const text = el("div", "user-text");
        text.appendChild(el("div", "user-name", user.name));
        text.appendChild(el("div", "user-role", user.role || (user.username ? "@" + user.username : "id " + user.user_id)));
        item.appendChild(text);
        item.addEventListener("click", () => select(user.user_id));
        list.appendChild(item);
      }
    }
  }

  function paintHeader() {
    const user = state.current;
    $("chat-title").textContent = user.name;
    $("chat-avatar").textContent = initials(user.name);
    $("chat-sub").textContent = user.blocked ? t("blocked") : (user.started ? (user.role || "") : t("notStarted"));
    const toggle = $("block-toggle");
    toggle.hidden = !user.started && !user.blocked;
    toggle.textContent = user.blocked ? t("unblock") : t("block");
    $("start-bar").hidden = user.started && !user.blocked;
    $("composer").hidden = !user.started || user.blocked;
  }

  async function select(userId) {
    state.poll += 1;  // stops the previous dialog's long poll
    const body = await api("users/" + userId + "/transcript");
    state.current = body.user;
    state.version = body.version;
    state.shown = new Set(body.callbacks.filter((c) => c.answered).map((c) => c.callback_id));
    $("app").classList.add("show-chat");
    document.querySelectorAll(".user").forEach((n) => n.classList.toggle("active", Number(n.dataset.userId) === userId));
    paintHeader();
    render(body.messages, true);
    poll(state.poll);
  }

  // ---- messages --------------------------------------------------------------------------------
  function attachmentNode(a) {
    const p = a.payload || {};
    if (a.type === "image") {
      const img = el("img", "photo");
      img.src = p.url; img.alt = "";
      return img;
    }
    if (a.type === "file" || a.type === "video" || a.type === "audio") {
      const link = el("a", "file");
      link.href = p.url; link.target = "_blank"; link.rel = "noopener";
      link.appendChild(el("span", "file-icon", "📄"));
      const text = el("span");
      text.appendChild(el("div", null, a.filename || a.type));
      if (a.size !== undefined) text.appendChild(el("div", "file-size", a.size + " B"));
      link.appendChild(text);
      return link;
    }
    if (a.type === "contact") {
      const fn = /FN:([^\r\n]*)/.exec(p.vcf_info || ""), tel = /TEL[^:]*:([^\r\n]*)/.exec(p.vcf_info || "");
      return el("div", "attachment kind", "👤 " + t("contact") + ": " + (fn ? fn[1] : "") + " " + (tel ? tel[1] : ""));
    }
    if (a.type === "location") return el("div", "attachment kind", "📍 " + t("location") + ": " + a.latitude + ", " + a.longitude);
    return el("div", "attachment kind", "[" + a.type + "]");
  }

  function keyboardNode(message, rows) {
    const box = el("div", "inline-kb");
    for (const row of rows) {
      const line = el("div", "kb-row");
      for (const button of row) {
        if (button.type === "link") {
          const link = el("a", null, button.text + " ↗");
          link.href = button.url; link.target = "_blank"; link.rel = "noopener";
          line.appendChild(link);
          continue;
        }
        const node = el("button", null, button.text);
        node.type = "button";
        node.addEventListener("click", () => press(message, button, node));
        line.appendChild(node);
      }
      box.appendChild(line);
    }
    return box;
  }

  function messageNode(m) {
    const row = el("div", "msg-row " + (m.side === "bot" ? "in" : "out"));
    row.dataset.mid = m.mid;
    const bubble = el("div", "bubble");
    const attachments = m.body.attachments || [];
    for (const a of attachments) if (a.type !== "inline_keyboard") bubble.appendChild(attachmentNode(a));
    if (m.body.text) bubble.appendChild(el("div", "text", m.body.text));
    const time = new Date(m.timestamp).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
    bubble.appendChild(el("span", "meta", (m.edited ? t("edited") + " " : "") + time));
    row.appendChild(bubble);
    const kb = attachments.find((a) => a.type === "inline_keyboard");
    if (kb) row.appendChild(keyboardNode(m, kb.payload.buttons));
    return row;
  }

  function render(messages, full) {
    const box = $("messages");
    if (full) box.replaceChildren();
    for (const m of messages) {
      const old = box.querySelector('[data-mid="' + CSS.escape(m.mid) + '"]');
      if (m.deleted) { if (old) old.remove(); continue; }
      const node = messageNode(m);
      if (old) old.replaceWith(node); else box.appendChild(node);
    }
    const empty = box.querySelector(".empty");
    if (!box.querySelector(".msg-row") && !empty) box.appendChild(el("div", "empty", t("noMessages")));
    if (box.querySelector(".msg-row") && empty) empty.remove();
    box.scrollTop = box.scrollHeight;
  }

  function showAnswers(callbacks) {
    for (const c of callbacks) {
      if (!c.answered || state.shown.has(c.callback_id)) continue;
      state.shown.add(c.callback_id);
      if (c.notification) toast(c.notification);
    }
  }

  async function poll(generation) {
    while (generation === state.poll && state.current) {
      try {
        const body = await api("users/" + state.current.user_id + "/updates?after=" + state.version + "&timeout=" + POLL_TIMEOUT);
        if (generation !== state.poll) return;
        state.version = body.version;
        const before = JSON.stringify([state.current.started, state.current.blocked]);
        state.current = body.user;
        if (JSON.stringify([body.user.started, body.user.blocked]) !== before) paintHeader();
        render(body.messages, false);
        showAnswers(body.callbacks);
      } catch (error) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  }

  // ---- actions ---------------------------------------------------------------------------------
  async function act(promise) {
    try {
      const body = await promise;
      if (body && body.user && state.current && body.user.user_id === state.current.user_id) { state.current = body.user; paintHeader(); }
      return body;
    } catch (error) { fail(error); return null; }
  }
  const userPath = (suffix) => "users/" + state.current.user_id + "/" + suffix;

  async function press(message, button, node) {
    node.disabled = true;
    const extra = button.type === "request_geo_location" ? DEMO_LOCATION : {};
    const body = await act(postJson(userPath("press"), { mid: message.mid, text: button.text, ...extra }));
    node.disabled = false;
    if (body && body.url) window.open(body.url, "_blank", "noopener");
  }

  const readBase64 = (file) => new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });

  async function sendFiles(fileList) {
    const images = [], files = [];
    for (const file of fileList) {
      const item = { name: file.name, data: await readBase64(file), mime_type: file.type || null };
      (file.type.startsWith("image/") ? images : files).push(item);
    }
    const text = $("text").value.trim() || null;
    if (await act(postJson(userPath("messages"), { text, images, files }))) $("text").value = "";
  }

  function bind() {
    $("new-user-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const name = $("new-user-name").value.trim();
      if (!name) return;
      const body = await act(postJson("users", { first_name: name, locale: lang }));
      if (body) { $("new-user-name").value = ""; await loadUsers(); await select(body.user.user_id); }
    });
    $("composer").addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = $("text").value.trim();
      if (!text) return;
      if (await act(postJson(userPath("messages"), { text }))) $("text").value = "";
    });
    $("text").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("composer").requestSubmit(); }
    });
    $("attach").addEventListener("click", () => $("file").click());
    $("file").addEventListener("change", async () => {
      const chosen = Array.from($("file").files);
      $("file").value = "";
      if (chosen.length) await sendFiles(chosen);
    });
    $("share-location").addEventListener("click", () => act(postJson(userPath("location"), DEMO_LOCATION)));
    $("share-contact").addEventListener("click", () => act(postJson(userPath("contact"), { own: true })));
    $("start").addEventListener("click", () => act(postJson(userPath("start"), {})));
    $("block-toggle").addEventListener("click", () => act(postJson(userPath(state.current.blocked ? "unblock" : "block"), {})));
    $("back").addEventListener("click", () => $("app").classList.remove("show-chat"));
  }

  applyLabels();
  bind();
  loadUsers().then(() => {
    const wanted = Number(query.get("user"));
    if (wanted && state.users.some((u) => u.user_id === wanted)) return select(wanted);
    return null;
  }).catch(fail);
})();
