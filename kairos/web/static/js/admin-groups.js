// The groups board: order groups and their resources by dragging (mouse: native drag and drop; touch and
// pen: pointer events on the ⠿ handles) or with the keyboard (Alt+arrows, buttons, "Move or add" list).
// Every change is sent at once to the order API (PUT /api/groups/order, PUT /api/groups/{id}/order).
(function () {
  "use strict";
  var board = document.getElementById("board");
  var dataEl = document.getElementById("board-data");
  var statusEl = document.getElementById("board-status");
  if (!board || !dataEl || !window.Kairos) return;

  var state = JSON.parse(dataEl.textContent);
  var busy = false;
  var drag = null; // {type: "member", rid, from} or {type: "group", gid}; from is a group id or null (Ungrouped)
  var touch = null; // {pointerId, ghost, spot} while a touch or pen drag is under way
  var focusWanted = []; // selectors tried in turn after the next render

  // -- state -----------------------------------------------------------------------------------------------

  function clone(value) { return JSON.parse(JSON.stringify(value)); }
  function find(s, gid) { return s.groups.filter(function (g) { return g.id === gid; })[0]; }
  function nameOf(rid) { var r = state.resources[rid]; return r ? r.name : "#" + rid; }
  function groupName(gid) { return gid === null ? "Ungrouped" : find(state, gid).name; }
  function columns() { return state.groups.map(function (g) { return g.id; }).concat([null]); }

  function ungrouped() {
    var grouped = {};
    state.groups.forEach(function (g) { g.members.forEach(function (r) { grouped[r] = true; }); });
    return state.order.filter(function (r) { return !grouped[r]; });
  }

  function putMembers(g) { return ["PUT", "/api/groups/" + g.id + "/order", { resourceIds: g.members }]; }

  // -- rendering -------------------------------------------------------------------------------------------

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(text, label, cls, action) {
    var b = el("button", cls, text);
    b.type = "button";
    b.setAttribute("aria-label", label);
    b.title = label;
    if (action) b.dataset.action = action;
    return b;
  }

  function moveChoices(rid, gid) {
    var choices = [["", gid === null ? "Add to…" : "Move or add…"]];
    state.groups.forEach(function (g) {
      if (g.id !== gid) choices.push(["move:" + g.id, (gid === null ? "Add to " : "Move to ") + g.name]);
    });
    if (gid !== null) {
      state.groups.forEach(function (g) {
        if (g.id !== gid && g.members.indexOf(rid) < 0) choices.push(["add:" + g.id, "Also add to " + g.name]);
      });
      choices.push(["move:", "Remove from " + groupName(gid)]);
    }
    return choices;
  }

  function item(rid, gid, pos, count) {
    var r = state.resources[rid] || {};
    var li = el("li", "member" + (r.active === false ? " inactive" : ""));
    li.draggable = true;
    li.tabIndex = 0;
    li.dataset.resourceId = String(rid);
    li.setAttribute("aria-label", nameOf(rid) + (r.active === false ? " (inactive)" : "") + ", " + (pos + 1) +
      " of " + count + " in " + groupName(gid) + ". Alt+arrow keys move it.");
    var handle = el("span", "handle", "\u283F");
    handle.setAttribute("aria-hidden", "true");
    li.append(handle, el("span", "name", nameOf(rid)), el("span", "badge", r.kind || "?"));

    var tools = el("div", "member-tools");
    var up = button("\u2191", "Move " + nameOf(rid) + " up", "btn", "up");
    var down = button("\u2193", "Move " + nameOf(rid) + " down", "btn", "down");
    up.disabled = gid === null || pos === 0;
    down.disabled = gid === null || pos === count - 1;
    var select = el("select");
    select.setAttribute("aria-label", "Move or add " + nameOf(rid));
    moveChoices(rid, gid).forEach(function (c) {
      var o = el("option", null, c[1]);
      o.value = c[0];
      select.appendChild(o);
    });
    tools.append(up, down, select, button("Go", "Apply the choice for " + nameOf(rid), "btn", "go"));
    li.appendChild(tools);
    return li;
  }

  function column(g) {
    var gid = g ? g.id : null;
    var section = el("section", "group-col" + (g ? "" : " ungrouped"));
    section.dataset.groupId = g ? String(g.id) : "";
    var head = el("div", "group-head");
    var title = el("h3", null, g ? g.name : "Ungrouped");
    title.id = "col-title-" + (g ? g.id : "none");
    section.setAttribute("aria-labelledby", title.id);
    if (g) {
      var pos = state.groups.indexOf(g);
      head.draggable = true;
      var handle = button("\u283F", "Move group " + g.name + " (Alt+arrow keys)", "handle group-handle");
      handle.dataset.groupId = String(g.id);
      var earlier = button("\u25C0", "Move group " + g.name + " earlier", "btn btn-sm", "earlier");
      var later = button("\u25B6", "Move group " + g.name + " later", "btn btn-sm", "later");
      earlier.disabled = pos === 0;
      later.disabled = pos === state.groups.length - 1;
      head.append(handle, title, el("span", "badge", g.visibility), earlier, later);
    } else {
      head.appendChild(title);
    }
    var list = el("ol", "members");
    var ids = g ? g.members : ungrouped();
    if (!ids.length) list.appendChild(el("li", "muted small empty", g ? "Drop resources here." : "Every resource is in a group."));
    ids.forEach(function (rid, i) { list.appendChild(item(rid, gid, i, ids.length)); });
    section.append(head, list);
    return section;
  }

  // The table under the board counts each group's resources: it follows every move (and, after a failed
  // save, what is stored), without a reload.
  function updateCounts() {
    state.groups.forEach(function (g) {
      document.querySelectorAll('[data-count-for="' + g.id + '"]').forEach(function (node) {
        node.textContent = String(g.members.length);
      });
    });
  }

  function render() {
    updateCounts();
    board.textContent = "";
    state.groups.forEach(function (g) { board.appendChild(column(g)); });
    board.appendChild(column(null));
    var wanted = focusWanted;
    focusWanted = [];
    for (var i = 0; i < wanted.length; i++) {
      var target = board.querySelector(wanted[i]);
      if (target && !target.disabled) { target.focus(); return; }
    }
  }

  function memberSelector(gid, rid) {
    return '.group-col[data-group-id="' + (gid === null ? "" : gid) + '"] .member[data-resource-id="' + rid + '"]';
  }

  function say(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "board-status small " + (kind || "muted");
  }

  // -- saving ----------------------------------------------------------------------------------------------

  // Reads what is stored, after a failed save (part of a move may have been saved).
  async function refresh() {
    var groups = await Kairos.api("GET", "/api/groups");
    var next = { groups: [], resources: state.resources, order: state.order.slice() };
    for (var i = 0; i < groups.length; i++) {
      var members = await Kairos.api("GET", "/api/groups/" + groups[i].id + "/resources");
      members.forEach(function (m) {
        next.resources[m.id] = { name: m.name, kind: m.resourceType, active: m.active };
        if (next.order.indexOf(m.id) < 0) next.order.push(m.id);
      });
      next.groups.push({
        id: groups[i].id, name: groups[i].name, visibility: groups[i].visibility,
        members: members.map(function (m) { return m.id; }),
      });
    }
    state = next;
  }

  async function commit(next, calls, done) {
    if (busy) { say("Still saving the previous change; try again in a moment.", "error"); return; }
    busy = true;
    board.classList.add("busy");
    board.setAttribute("aria-busy", "true");
    state = next;
    render();
    say("Saving\u2026");
    try {
      // In a move the target group is saved first: a failure half-way leaves the resource in both groups,
      // never in none.
      for (var i = 0; i < calls.length; i++) await Kairos.api(calls[i][0], calls[i][1], calls[i][2]);
      say("Saved: " + done + ".", "ok");
    } catch (err) {
      say("Not saved: " + err.message + ". The board now shows what is stored.", "error");
      try { await refresh(); } catch (e) { say("Not saved: " + err.message + ". Reload the page.", "error"); }
      render();
    } finally {
      busy = false;
      board.classList.remove("busy");
      board.removeAttribute("aria-busy");
    }
  }

  // Moves resource `rid` from group `from` to group `to` (null: Ungrouped) at `index` (counted without it;
  // undefined: at the end). `copy` keeps it in `from` as well.
  function moveMember(rid, from, to, index, copy, focusAction) {
    var next = clone(state), calls = [], done;
    if (to === null) {
      if (from === null) return;
      var source = find(next, from);
      source.members = source.members.filter(function (r) { return r !== rid; });
      calls.push(putMembers(source));
      done = nameOf(rid) + " left " + source.name;
      focusWanted = [memberSelector(null, rid), '.group-col[data-group-id="' + from + '"] .member', "#board .member"];
    } else {
      var target = find(next, to);
      var before = target.members.join(",");
      var list = target.members.filter(function (r) { return r !== rid; });
      if (index === undefined || index > list.length) index = list.length;
      list.splice(index, 0, rid);
      target.members = list;
      var leaves = from !== null && from !== to && !copy;
      if (list.join(",") === before && !leaves) return;
      calls.push(putMembers(target));
      if (leaves) {
        var src = find(next, from);
        src.members = src.members.filter(function (r) { return r !== rid; });
        calls.push(putMembers(src));
      }
      done = from === to ? nameOf(rid) + " is number " + (index + 1) + " in " + target.name
        : nameOf(rid) + (leaves || from === null ? " moved to " : " added to ") + target.name;
      var sel = memberSelector(to, rid);
      focusWanted = (focusAction ? [sel + ' [data-action="' + focusAction + '"]'] : []).concat([sel]);
    }
    commit(next, calls, done);
  }

  function moveGroup(gid, index) {
    var ids = state.groups.map(function (g) { return g.id; });
    var rest = ids.filter(function (i) { return i !== gid; });
    index = Math.max(0, Math.min(index, rest.length));
    rest.splice(index, 0, gid);
    if (rest.join(",") === ids.join(",")) return;
    var next = clone(state);
    next.groups = rest.map(function (i) { return find(next, i); });
    focusWanted = ['.group-handle[data-group-id="' + gid + '"]'];
    commit(next, [["PUT", "/api/groups/order", { groupIds: rest }]], "group " + groupName(gid) + " is number " + (index + 1));
  }

  // -- keyboard and buttons --------------------------------------------------------------------------------

  function colGroup(node) {
    var col = node.closest(".group-col");
    return col && col.dataset.groupId ? Number(col.dataset.groupId) : null;
  }

  function memberPlace(li) {
    var gid = colGroup(li), rid = Number(li.dataset.resourceId);
    var ids = gid === null ? ungrouped() : find(state, gid).members;
    return { gid: gid, rid: rid, pos: ids.indexOf(rid) };
  }

  function shiftMember(li, step, focusAction) {
    var p = memberPlace(li);
    if (p.gid === null || p.pos + step < 0) return;
    moveMember(p.rid, p.gid, p.gid, p.pos + step, false, focusAction);
  }

  function jumpMember(li, step) {
    var p = memberPlace(li), cols = columns(), at = cols.indexOf(p.gid) + step;
    if (at < 0 || at >= cols.length) return;
    moveMember(p.rid, p.gid, cols[at], undefined, false);
  }

  function shiftGroup(gid, step) {
    var at = state.groups.indexOf(find(state, gid)) + step;
    if (at >= 0 && at < state.groups.length) moveGroup(gid, at);
  }

  var STEPS = { ArrowUp: -1, ArrowLeft: -1, ArrowDown: 1, ArrowRight: 1 };

  board.addEventListener("keydown", function (e) {
    if (!e.altKey || !(e.key in STEPS)) return;
    var t = e.target;
    if (t.classList.contains("member")) {
      e.preventDefault(); // Alt+Left would otherwise go back in the history
      if (e.key === "ArrowUp" || e.key === "ArrowDown") shiftMember(t, STEPS[e.key]);
      else jumpMember(t, STEPS[e.key]);
    } else if (t.classList.contains("group-handle")) {
      e.preventDefault();
      shiftGroup(Number(t.dataset.groupId), STEPS[e.key]);
    }
  });

  board.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-action]");
    if (!b || b.disabled) return;
    var action = b.dataset.action, li = b.closest(".member");
    if (action === "up" || action === "down") shiftMember(li, action === "up" ? -1 : 1, action);
    else if (action === "earlier" || action === "later") shiftGroup(colGroup(b), action === "earlier" ? -1 : 1);
    else if (action === "go") {
      var choice = li.querySelector("select").value;
      if (!choice) { say("Choose where to move or add it first.", "error"); return; }
      var p = memberPlace(li), kind = choice.split(":")[0], to = choice.split(":")[1];
      moveMember(p.rid, p.gid, to === "" ? null : Number(to), undefined, kind === "add");
    }
  });

  // -- dragging --------------------------------------------------------------------------------------------

  function clearMarks() {
    board.querySelectorAll(".drop-marker").forEach(function (m) { m.remove(); });
    board.querySelectorAll(".drop-here, .drop-before, .drop-after").forEach(function (n) {
      n.classList.remove("drop-here", "drop-before", "drop-after");
    });
  }

  function horizontal() { return getComputedStyle(board).gridAutoFlow.indexOf("column") === 0; }

  // Where a drop at (x, y) would land, or null.
  function spotAt(x, y) {
    var box = board.getBoundingClientRect();
    if (x < box.left || x > box.right || y < box.top || y > box.bottom) return null;
    if (drag.type === "group") {
      var cols = Array.prototype.filter.call(board.querySelectorAll(".group-col:not(.ungrouped)"), function (c) {
        return Number(c.dataset.groupId) !== drag.gid;
      });
      var across = horizontal(), index = cols.length;
      for (var i = 0; i < cols.length; i++) {
        var r = cols[i].getBoundingClientRect();
        if (across ? x < r.left + r.width / 2 : y < r.top + r.height / 2) { index = i; break; }
      }
      return { type: "group", index: index, cols: cols };
    }
    var hit = document.elementFromPoint(x, y);
    var col = hit && hit.closest(".group-col");
    if (!col || !board.contains(col)) return null;
    var list = col.querySelector(".members");
    var items = Array.prototype.filter.call(list.querySelectorAll(".member"), function (li) {
      return Number(li.dataset.resourceId) !== drag.rid;
    });
    var at = items.length;
    for (var j = 0; j < items.length; j++) {
      var b = items[j].getBoundingClientRect();
      if (y < b.top + b.height / 2) { at = j; break; }
    }
    return { type: "member", group: colGroup(col), index: at, list: list, before: items[at] || null };
  }

  function mark(spot) {
    clearMarks();
    if (!spot) return;
    if (spot.type === "group") {
      if (!spot.cols.length) return;
      if (spot.index < spot.cols.length) spot.cols[spot.index].classList.add("drop-before");
      else spot.cols[spot.cols.length - 1].classList.add("drop-after");
      return;
    }
    spot.list.classList.add("drop-here");
    if (spot.group !== null) spot.list.insertBefore(el("li", "drop-marker"), spot.before);
  }

  function finish(spot, copy) {
    clearMarks();
    board.querySelectorAll(".is-dragging").forEach(function (n) { n.classList.remove("is-dragging"); });
    var d = drag;
    drag = null;
    if (!d || !spot) return;
    if (d.type === "group") moveGroup(d.gid, spot.index);
    else moveMember(d.rid, d.from, spot.group, spot.index, copy && spot.group !== null);
  }

  function startDrag(node) {
    if (busy) return false;
    if (node.nodeType !== 1) node = node.parentElement;
    var li = node.closest(".member");
    if (li) {
      drag = { type: "member", rid: Number(li.dataset.resourceId), from: colGroup(li) };
      li.classList.add("is-dragging");
      return true;
    }
    var col = node.closest(".group-col");
    if (col && col.dataset.groupId) {
      drag = { type: "group", gid: Number(col.dataset.groupId) };
      col.classList.add("is-dragging");
      return true;
    }
    return false;
  }

  board.addEventListener("dragstart", function (e) {
    if (!startDrag(e.target)) { e.preventDefault(); return; }
    e.dataTransfer.effectAllowed = drag.type === "member" ? "copyMove" : "move";
    e.dataTransfer.setData("text/plain", drag.type === "member" ? nameOf(drag.rid) : groupName(drag.gid));
  });

  board.addEventListener("dragover", function (e) {
    if (!drag) return;
    var spot = spotAt(e.clientX, e.clientY);
    mark(spot);
    if (!spot) return;
    e.preventDefault();
    var copy = drag.type === "member" && (e.ctrlKey || e.metaKey) && spot.group !== null;
    e.dataTransfer.dropEffect = copy ? "copy" : "move";
  });

  board.addEventListener("drop", function (e) {
    if (!drag) return;
    e.preventDefault();
    finish(spotAt(e.clientX, e.clientY), e.ctrlKey || e.metaKey);
  });

  // Fires when a drag ends outside the board (a drop inside has already cleared `drag`).
  board.addEventListener("dragend", function () { if (drag) finish(null, false); });

  // Touch and pen: native drag and drop does not start from a finger, so the handles follow the pointer.
  board.addEventListener("pointerdown", function (e) {
    if (e.pointerType === "mouse" || touch) return;
    var handle = e.target.closest(".handle");
    if (!handle || !startDrag(handle)) return;
    e.preventDefault();
    var source = handle.closest(".member") || handle.closest(".group-col");
    var ghost = source.cloneNode(true);
    ghost.classList.add("drag-ghost");
    ghost.classList.remove("is-dragging");
    ghost.setAttribute("aria-hidden", "true");
    ghost.style.width = source.getBoundingClientRect().width + "px";
    document.body.appendChild(ghost);
    touch = { pointerId: e.pointerId, ghost: ghost, spot: null };
    // Capture keeps the moves coming when the finger leaves the handle; an untrusted event has nothing to capture.
    try { handle.setPointerCapture(e.pointerId); } catch (err) { /* moves still bubble to the board */ }
    follow(e);
  });

  function follow(e) {
    touch.ghost.style.left = e.clientX + 8 + "px";
    touch.ghost.style.top = e.clientY + 8 + "px";
    touch.spot = spotAt(e.clientX, e.clientY);
    mark(touch.spot);
  }

  board.addEventListener("pointermove", function (e) {
    if (touch && e.pointerId === touch.pointerId) { e.preventDefault(); follow(e); }
  });

  function endTouch(e, drop) {
    if (!touch || e.pointerId !== touch.pointerId) return;
    var spot = drop ? touch.spot : null;
    touch.ghost.remove();
    touch = null;
    finish(spot, false);
  }

  board.addEventListener("pointerup", function (e) { endTouch(e, true); });
  board.addEventListener("pointercancel", function (e) { endTouch(e, false); });

  render();
})();
