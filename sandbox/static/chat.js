// Telegram-like chat page for the sandbox. Vanilla JS, no build step.
// All URLs are relative so the page works standalone (/chat) and mounted (/sandbox/chat).
// Untrusted text is only ever inserted with textContent / DOM nodes, never innerHTML.
"use strict";

(() => {
  const I18N = {
    ru: {
      title: "Песочница Telegram", subtitle: "Выберите, от чьего имени писать боту",
      personas: "Персонажи", others: "Другие пользователи", newUser: "Новый житель",
      newUserPlaceholder: "Имя нового жителя", pickUser: "Выберите собеседника слева",
      messagePlaceholder: "Сообщение…", send: "Отправить", attach: "Прикрепить фото или файл",
      shareLocation: "Отправить геопозицию (демо)", shareContact: "Отправить контакт",
      back: "Назад", edited: "изменено", block: "Заблокировать бота", unblock: "Разблокировать",
      blocked: "бот заблокирован", bot: "бот", ok: "OK", location: "Геопозиция", noMessages: "Сообщений пока нет",
      voice: "Голосовое сообщение", sticker: "Стикер", error: "Ошибка", openLink: "Открыть ссылку",
    },
    en: {
      title: "Telegram sandbox", subtitle: "Choose who talks to the bot",
      personas: "Personas", others: "Other users", newUser: "New resident",
      newUserPlaceholder: "New resident's name", pickUser: "Pick a user on the left",
      messagePlaceholder: "Message…", send: "Send", attach: "Attach a photo or file",
      shareLocation: "Share location (demo)", shareContact: "Share contact",
      back: "Back", edited: "edited", block: "Block the bot", unblock: "Unblock",
      blocked: "bot is blocked", bot: "bot", ok: "OK", location: "Location", noMessages: "No messages yet",
      voice: "Voice message", sticker: "Sticker", error: "Error", openLink: "Open link",
    },
  };
  const DEMO_LOCATION = { latitude: 55.751244, longitude: 37.618423 };
  const POLL_TIMEOUT = 25;
  const query = new URLSearchParams(location.search);
  const lang = I18N[query.get("lang")] ? query.get("lang") : (I18N[document.body.dataset.lang] ? document.body.dataset.lang : "ru");
  const t = (key) => I18N[lang][key] || I18N.ru[key] || key;
  const $ = (id) => document.getElementById(id);

  const state = { users: [], current: null, version: 0, rows: new Map(), shownAnswers: new Set(), poll: null };

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
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload),
  });

  function toast(text, kind) {
    const node = el("div", "toast" + (kind ? " " + kind : ""), text);
    if (kind === "alert") {
      const ok = el("button", "primary", t("ok"));
      ok.type = "button";
      ok.addEventListener("click", () => node.remove());
      node.appendChild(ok);
    } else {
      setTimeout(() => node.remove(), kind === "error" ? 5000 : 3000);
    }
    $("toasts").appendChild(node);
  }
  const fail = (error) => toast(t("error") + ": " + error.message, "error");

  // ---- i18n of static labels ---------------------------------------------------------------
  function applyLabels() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((n) => { n.placeholder = t(n.dataset.i18nPlaceholder); });
    document.querySelectorAll("[data-i18n-title]").forEach((n) => { n.title = t(n.dataset.i18nTitle); n.setAttribute("aria-label", n.title); });
  }

  // ---- users sidebar ---------------------------------------------------------------------------
  const initials = (name) => (name || "?").split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]).join("").toUpperCase();
  const AVATAR_COLORS = ["#e17076", "#7bc862", "#65aadd", "#a695e7", "#ee7aae", "#6ec9cb", "#faa774"];
  function paintAvatar(node, user) {
    node.textContent = initials(user.first_name);
    node.style.background = AVATAR_COLORS[Math.abs(user.id) % AVATAR_COLORS.length];
  }

  async function loadUsers() {
    const body = await api("users");
    state.users = body.users;
    renderUsers();
  }

  function renderUsers() {
    const list = $("users");
    list.replaceChildren();
    const personas = state.users.filter((u) => u.persona);
    const others = state.users.filter((u) => !u.persona);
    const section = (title, users) => {
      if (!users.length) return;
      list.appendChild(el("li", "section", title));
      for (const user of users) {
        const item = el("li", "user" + (user.id === state.current ? " active" : ""));
        item.dataset.userId = String(user.id);
        const avatar = el("div", "avatar");
        paintAvatar(avatar, user);
        const text = el("div", "user-text");
        text.appendChild(el("div", "user-name", user.first_name));
        const sub = [user.role, user.username ? "@" + user.username : null, user.blocked ? t("blocked") : null].filter(Boolean).join(" · ");
        text.appendChild(el("div", "user-role", sub || "id " + user.id));
        item.append(avatar, text);
        item.addEventListener("click", () => openChat(user.id));
        list.appendChild(item);
      }
    };
    section(t("personas"), personas);
    section(t("others"), others);
  }

  // ---- conversation ----------------------------------------------------------------------------
  const userById = (id) => state.users.find((u) => u.id === id);

  function renderHeader() {
    const user = userById(state.current);
    if (!user) return;
    paintAvatar($("chat-avatar"), user);
    $("chat-title").textContent = user.first_name;
    $("chat-sub").textContent = [user.role, user.blocked ? t("blocked") : null].filter(Boolean).join(" · ") || "id " + user.id;
    const toggle = $("block-toggle");
    toggle.hidden = false;
    toggle.textContent = user.blocked ? t("unblock") : t("block");
  }

  async function openChat(userId) {
    if (state.poll) state.poll.abort();
    state.current = userId;
    state.version = 0;
    state.rows.clear();
    state.shownAnswers.clear();
    $("messages").replaceChildren();
    $("app").classList.add("show-chat");
    $("composer").hidden = false;
    renderUsers();
    renderHeader();
    const url = new URL(location.href);
    url.searchParams.set("user", String(userId));
    history.replaceState(null, "", url);
    const controller = new AbortController();
    state.poll = controller;
    try {
      const body = await api("chats/" + userId, { signal: controller.signal });
      applyChanges(body, true);
    } catch (error) {
      if (!controller.signal.aborted) fail(error);
    }
    pollLoop(userId, controller);
    $("text").focus();
  }

  // Long-poll: the server holds the request until something changes, so no busy polling here.
  async function pollLoop(userId, controller) {
    while (!controller.signal.aborted && state.current === userId) {
      try {
        const body = await api("chats/" + userId + "/updates?after=" + state.version + "&timeout=" + POLL_TIMEOUT, { signal: controller.signal });
        if (state.current === userId) applyChanges(body, false);
      } catch (error) {
        if (controller.signal.aborted) return;
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  }

  function applyChanges(body, initial) {
    if (body.reset) {
      state.rows.clear();
      $("messages").replaceChildren();
    }
    state.version = body.version;
    if (body.user) {
      const index = state.users.findIndex((u) => u.id === body.user.id);
      if (index >= 0) state.users[index] = body.user; else state.users.push(body.user);
      renderHeader();
    }
    const box = $("messages");
    const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    for (const message of body.messages) upsertMessage(message);
    if (!state.rows.size) box.replaceChildren(el("div", "empty", t("noMessages")));
    for (const answer of body.callback_queries || []) {
      if (!answer.answered || state.shownAnswers.has(answer.id)) continue;
      state.shownAnswers.add(answer.id);
      if (!initial && answer.text) toast(answer.text, answer.show_alert ? "alert" : "");
    }
    renderReplyKeyboard(body.reply_keyboard);
    if (initial || nearBottom) box.scrollTop = box.scrollHeight;
  }

  function upsertMessage(message) {
    const box = $("messages");
    const old = state.rows.get(message.message_id);
    if (message.deleted) {
      if (old) old.remove();
      state.rows.delete(message.message_id);
      return;
    }
    const row = renderMessage(message);
    if (old) {
      old.replaceWith(row);
    } else {
      const empty = box.querySelector(".empty");
      if (empty) empty.remove();
      // Keep chronological order even if changes arrive out of order.
      const next = [...state.rows.keys()].filter((id) => id > message.message_id).sort((a, b) => a - b)[0];
      if (next !== undefined) box.insertBefore(row, state.rows.get(next)); else box.appendChild(row);
    }
    state.rows.set(message.message_id, row);
  }

  function formatSize(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + " KB";
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  function renderMessage(message) {
    const row = el("div", "msg-row " + (message.side === "bot" ? "in" : "out"));
    row.dataset.messageId = String(message.message_id);
    const bubble = el("div", "bubble");
    if (message.reply_to_message_id) {
      const quoted = state.rows.get(message.reply_to_message_id);
      const quotedText = quoted ? quoted.querySelector(".text") : null;
      bubble.appendChild(el("div", "reply-quote", quotedText ? quotedText.textContent.slice(0, 80) : "#" + message.reply_to_message_id));
    }
    for (const media of message.media || []) bubble.appendChild(renderMedia(media));
    if (message.location) {
      const { latitude, longitude } = message.location;
      const link = el("a", "file", "📍 " + t("location") + ": " + latitude.toFixed(5) + ", " + longitude.toFixed(5));
      link.href = "https://www.openstreetmap.org/?mlat=" + latitude + "&mlon=" + longitude + "#map=16/" + latitude + "/" + longitude;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      bubble.appendChild(link);
    }
    if (message.contact) {
      bubble.appendChild(el("div", "text", "👤 " + message.contact.first_name + "\n" + message.contact.phone_number));
    }
    const text = message.text !== null && message.text !== undefined ? message.text : message.caption;
    const meta = el("span", "meta", (message.edited ? t("edited") + " " : "") +
      new Date(message.date * 1000).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" }));
    if (text) {
      const body = el("div", "text");
      renderEntities(body, text, message.entities || []);
      body.appendChild(meta);
      bubble.appendChild(body);
    } else {
      bubble.appendChild(meta);
    }
    row.appendChild(bubble);
    const keyboard = message.reply_markup && message.reply_markup.inline_keyboard;
    if (keyboard) row.appendChild(renderInlineKeyboard(message, keyboard));
    return row;
  }

  function renderMedia(media) {
    if (media.type === "photo") {
      const img = el("img", "photo");
      img.src = media.url;
      img.alt = media.file_name || "photo";
      img.loading = "lazy";
      img.addEventListener("click", () => window.open(media.url, "_blank", "noopener"));
      return img;
    }
    if (media.type === "sticker") return el("div", "sticker", "👍");
    const link = el("a", "file");
    link.href = media.url;
    link.target = "_blank";
    link.rel = "noopener";
    const icon = el("span", "file-icon", media.type === "voice" ? "🎤" : "📄");
    const info = el("span");
    info.appendChild(el("div", "file-name", media.type === "voice" ? t("voice") : media.file_name || media.file_path));
    info.appendChild(el("div", "file-size", formatSize(media.file_size)));
    link.append(icon, info);
    return link;
  }

  // text + entities → DOM. Offsets are UTF-16 code units, which is exactly how JS strings index.
  const ENTITY_TAGS = {
    bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre",
    blockquote: "blockquote", expandable_blockquote: "blockquote", spoiler: "span", text_link: "a", url: "a",
  };
  const SAFE_URL = /^(https?:|tg:|mailto:)/i;

  function renderEntities(parent, text, entities) {
    const sorted = entities.filter((e) => e.length > 0).sort((a, b) => a.offset - b.offset || b.length - a.length);
    build(parent, text, 0, text.length, sorted);
  }

  function build(parent, text, start, end, entities) {
    let pos = start;
    let i = 0;
    while (i < entities.length) {
      const entity = entities[i];
      if (entity.offset < pos) { i += 1; continue; } // overlapping, not nested: ignore
      const entityEnd = Math.min(entity.offset + entity.length, end);
      const inner = [];
      let j = i + 1;
      while (j < entities.length && entities[j].offset < entityEnd) {
        if (entities[j].offset + entities[j].length <= entityEnd) inner.push(entities[j]);
        j += 1;
      }
      if (entity.offset > pos) parent.appendChild(document.createTextNode(text.slice(pos, entity.offset)));
      const node = entityNode(entity, text.slice(entity.offset, entityEnd));
      build(node, text, entity.offset, entityEnd, inner);
      parent.appendChild(node);
      pos = entityEnd;
      i = j;
    }
    if (pos < end) parent.appendChild(document.createTextNode(text.slice(pos, end)));
  }

  function entityNode(entity, content) {
    const tag = ENTITY_TAGS[entity.type];
    if (!tag) return document.createElement("span");
    const node = document.createElement(tag);
    if (tag === "a") {
      const href = entity.type === "url" ? content : entity.url;
      if (href && SAFE_URL.test(href)) {
        node.href = href;
        node.target = "_blank";
        node.rel = "noopener noreferrer";
      }
    }
    if (entity.type === "spoiler") {
      node.className = "spoiler";
      node.addEventListener("click", () => node.classList.toggle("revealed"));
    }
    return node;
  }

  function renderInlineKeyboard(message, keyboard) {
    const box = el("div", "inline-kb");
    for (const row of keyboard) {
      const line = el("div", "kb-row");
      for (const button of row) {
        if (button.url) {
          const link = el("a", null, button.text + " ↗");
          if (SAFE_URL.test(button.url)) link.href = button.url;
          link.target = "_blank";
          link.rel = "noopener noreferrer";
          link.title = t("openLink");
          line.appendChild(link);
          continue;
        }
        const node = el("button", null, button.text);
        node.type = "button";
        node.addEventListener("click", async () => {
          node.disabled = true;
          try {
            await postJson("chats/" + state.current + "/press", { message_id: message.message_id, data: button.callback_data, text: button.text });
          } catch (error) {
            fail(error);
          } finally {
            setTimeout(() => { node.disabled = false; }, 400);
          }
        });
        line.appendChild(node);
      }
      box.appendChild(line);
    }
    return box;
  }

  function renderReplyKeyboard(markup) {
    const box = $("reply-keyboard");
    box.replaceChildren();
    const rows = markup && markup.keyboard;
    box.hidden = !rows;
    $("text").placeholder = (markup && markup.input_field_placeholder) || t("messagePlaceholder");
    if (!rows) return;
    for (const row of rows) {
      const line = el("div", "kb-row");
      for (const button of row) {
        const node = el("button", null, button.text);
        node.type = "button";
        node.addEventListener("click", () => {
          if (button.request_contact) sendJson({ type: "contact" });
          else if (button.request_location) sendJson({ type: "location", ...DEMO_LOCATION });
          else sendJson({ type: "text", text: button.text });
        });
        line.appendChild(node);
      }
      box.appendChild(line);
    }
  }

  // ---- sending ---------------------------------------------------------------------------------
  async function sendJson(payload) {
    if (state.current === null) return;
    try {
      await postJson("chats/" + state.current + "/messages", payload);
    } catch (error) {
      fail(error);
    }
  }

  async function sendFiles(files) {
    // Several files at once become an album, as in Telegram.
    const groupId = files.length > 1 ? String(Date.now()) + String(Math.floor(Math.random() * 1e6)) : null;
    for (const file of files) {
      const form = new FormData();
      form.append("type", /^image\/(jpeg|png|webp|bmp)$/.test(file.type) ? "photo" : "document");
      if (groupId) form.append("media_group_id", groupId);
      form.append("file", file, file.name);
      try {
        await api("chats/" + state.current + "/messages", { method: "POST", body: form });
      } catch (error) {
        fail(error);
      }
    }
  }

  function bindComposer() {
    const textarea = $("text");
    const submit = () => {
      const text = textarea.value;
      if (!text.trim()) return;
      textarea.value = "";
      autoGrow();
      sendJson({ type: "text", text });
    };
    const autoGrow = () => {
      textarea.style.height = "auto";
      textarea.style.height = Math.min(textarea.scrollHeight, 160) + "px";
    };
    $("composer").addEventListener("submit", (event) => { event.preventDefault(); submit(); });
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); submit(); }
    });
    textarea.addEventListener("input", autoGrow);
    $("attach").addEventListener("click", () => $("file").click());
    $("file").addEventListener("change", async (event) => {
      const files = [...event.target.files];
      event.target.value = "";
      if (files.length) await sendFiles(files);
    });
    $("share-location").addEventListener("click", () => sendJson({ type: "location", ...DEMO_LOCATION }));
    $("share-contact").addEventListener("click", () => sendJson({ type: "contact" }));
    $("back").addEventListener("click", () => $("app").classList.remove("show-chat"));
    $("block-toggle").addEventListener("click", async () => {
      const user = userById(state.current);
      if (!user) return;
      try {
        const body = await api("users/" + user.id + "/" + (user.blocked ? "unblock" : "block"), { method: "POST" });
        Object.assign(user, body.user);
        renderHeader();
        renderUsers();
      } catch (error) {
        fail(error);
      }
    });
    $("new-user-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const input = $("new-user-name");
      const name = input.value.trim();
      if (!name) return;
      try {
        const body = await postJson("users", { first_name: name, language_code: lang });
        input.value = "";
        await loadUsers();
        openChat(body.user.id);
      } catch (error) {
        fail(error);
      }
    });
  }

  async function start() {
    applyLabels();
    bindComposer();
    try {
      await loadUsers();
    } catch (error) {
      fail(error);
      return;
    }
    if (query.get("text")) $("text").value = query.get("text");
    const wanted = Number(query.get("user"));
    const initial = userById(wanted) || state.users.find((u) => u.persona);
    // A chat opened while the list was loading (a new user made at once) is not taken away again.
    if (initial && !state.current) openChat(initial.id);
  }

  start();
})();
