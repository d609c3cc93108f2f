extension DashboardAssets {
    /// `/assets/app.js`: plain JavaScript; every value from the host goes into the page as text, never as HTML.
    static let script = #"""
        "use strict";
        const $ = (id) => document.getElementById(id);
        const state = { readOnly: false, rows: [], cursor: null, morePages: false, selected: null, events: null, hourly: {} };

        function el(tag, text, cls) {
          const node = document.createElement(tag);
          if (text !== undefined && text !== null) node.textContent = String(text);
          if (cls) node.className = cls;
          return node;
        }

        function row(cells) {
          const tr = document.createElement("tr");
          for (const cell of cells) tr.appendChild(cell instanceof Node ? cell : el("td", cell));
          return tr;
        }

        function notice(text) {
          $("notice").textContent = text || "";
          $("notice").hidden = !text;
        }

        // Every call goes to this host; state-changing ones carry the CSRF header the host requires with the cookie.
        async function api(method, path) {
          const init = { method, credentials: "same-origin", headers: {} };
          if (method !== "GET") {
            init.headers["X-Ghost-CSRF"] = "1";
            init.headers["Content-Type"] = "application/json";
            init.body = "{}";
          }
          const response = await fetch(path, init);
          const data = await response.json().catch(() => ({}));
          if (response.status === 401) { showLogin(); throw new Error("sign in first"); }
          if (!response.ok) throw new Error((data.result && data.result.error && data.result.error.message) || response.statusText);
          return data;
        }

        function showLogin() {
          if (state.events) { state.events.close(); state.events = null; }
          $("main").hidden = true;
          $("signout").hidden = true;
          $("login").hidden = false;
          $("token").focus();
        }

        async function signIn(event) {
          event.preventDefault();
          const response = await fetch("/api/session", {
            method: "POST", credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-Ghost-CSRF": "1" },
            body: JSON.stringify({ token: $("token").value }),
          });
          $("token").value = "";
          if (!response.ok) { $("login-error").textContent = "That token is not right."; return; }
          $("login-error").textContent = "";
          $("signout").hidden = false;
          start();
        }

        async function signOut() {
          await fetch("/api/session", { method: "DELETE", credentials: "same-origin", headers: { "X-Ghost-CSRF": "1" } });
          showLogin();
        }

        function start() {
          $("login").hidden = true;
          $("main").hidden = false;
          loadPatches(true);
          connect();
        }

        function connect() {
          if (state.events) state.events.close();
          const events = new EventSource("/api/events");
          state.events = events;
          events.addEventListener("status", (e) => renderStatus(JSON.parse(e.data)));
          events.addEventListener("patches", (e) => livePatches(JSON.parse(e.data)));
          events.onopen = () => setLive(true);
          events.onerror = () => {
            setLive(false);
            if (events.readyState === EventSource.CLOSED) setTimeout(boot, 3000);
          };
        }

        function setLive(on) {
          $("live").textContent = on ? "live" : "offline";
          $("live").className = "pill " + (on ? "ok" : "off");
        }

        function renderStatus(status) {
          state.status = status;
          if (!state.hourlyStarted) { state.hourlyStarted = true; refreshHourly(); }
          $("health").textContent = status.status;
          $("health").className = "pill " + (status.status === "healthy" ? "ok" : "bad");
          const queues = $("queues").tBodies[0];
          queues.replaceChildren();
          const names = Object.keys(status.queues || {}).sort();
          for (const name of names) {
            const q = status.queues[name];
            const counts = q.counts || {};
            const stateCell = el("td", q.paused ? "paused" : "running", q.paused ? "s-paused" : "s-running");
            const button = el("button", q.paused ? "Resume" : "Pause", "act");
            button.dataset.queue = name;
            button.addEventListener("click", () => act("POST", "/api/queues/" + encodeURIComponent(name) + (q.paused ? "/resume" : "/pause")));
            const buttonCell = el("td");
            buttonCell.appendChild(button);
            const hour = state.hourly[name] || {};
            const tr = row([el("td", name), stateCell, q.depth, q.in_hand || "", (counts.applied || 0) + (counts.unchanged || 0),
              counts.failed || 0, hour.count === undefined ? "" : hour.count + (hour.more ? "+" : ""),
              hour.p50 === undefined ? "" : Math.round(hour.p50) + " ms", buttonCell]);
            tr.dataset.queue = name;
            queues.appendChild(tr);
          }
          const select = $("f-queue");
          if (select.options.length - 1 !== names.length) {
            const chosen = select.value;
            select.replaceChildren(el("option", "any queue"));
            select.options[0].value = "";
            for (const name of names) select.appendChild(el("option", name));
            select.value = chosen;
          }
          const components = $("components").tBodies[0];
          components.replaceChildren();
          for (const name of Object.keys(status.components || {}).sort()) {
            const c = status.components[name];
            components.appendChild(row([el("td", name), el("td", c.state, "s-" + c.state), c.restarts, when(c.since), c.last_error || c.note || ""]));
          }
        }

        function when(text) {
          if (!text) return "";
          const date = new Date(text);
          if (isNaN(date)) return text;
          return date.toDateString() === new Date().toDateString() ? date.toLocaleTimeString() : date.toLocaleString();
        }

        function query(cursor) {
          const params = new URLSearchParams();
          for (const [key, id] of [["status", "f-status"], ["queue", "f-queue"], ["q", "f-q"]]) {
            if ($(id).value) params.set(key, $(id).value);
          }
          if (cursor) params.set("cursor", cursor);
          params.set("limit", "25");
          return "/api/patches?" + params.toString();
        }

        const filtered = () => Boolean($("f-status").value || $("f-queue").value || $("f-q").value);

        async function loadPatches(fresh) {
          try {
            const page = await api("GET", query(fresh ? null : state.cursor));
            if (fresh) state.rows = [];
            state.morePages = !fresh;
            showPatches(state.rows.concat(page.patches || []), page.next_cursor);
          } catch (error) { notice(error.message); }
        }

        // The stream sends the newest unfiltered page; with filters or more pages loaded, the list is fetched again.
        function livePatches(page) {
          if (Date.now() - (state.hourlyAt || 0) > 10000) refreshHourly();
          if (state.morePages) return;
          if (filtered()) { loadPatches(true); return; }
          showPatches(page.patches || [], page.next_cursor);
          if (state.selected) showDetail(state.selected, true);
        }

        function showPatches(rows, cursor) {
          state.rows = rows;
          state.cursor = cursor || null;
          const body = $("patches").tBodies[0];
          body.replaceChildren();
          for (const p of rows) {
            const tr = row([el("td", p.id, "id"), p.queue, el("td", p.status, "s-" + p.status), p.reason || "", p.role || "", p.attempt || 1, when(p.finished_at)]);
            tr.dataset.id = p.id;
            if (p.id === state.selected) tr.className = "selected";
            tr.addEventListener("click", () => showDetail(p.id));
            body.appendChild(tr);
          }
          $("more").hidden = !state.cursor;
        }

        async function showDetail(id, quiet) {
          let receipt;
          try { receipt = await api("GET", "/api/patches/" + encodeURIComponent(id)); } catch (error) { if (!quiet) notice(error.message); return; }
          state.selected = id;
          $("detail").hidden = false;
          $("d-id").textContent = id;
          const meta = $("d-meta");
          meta.replaceChildren();
          for (const key of ["status", "reason", "message", "queue", "role", "attempt", "source", "received_at", "finished_at", "duration_ms"]) {
            if (receipt[key] === undefined || receipt[key] === null || receipt[key] === "") continue;
            meta.appendChild(el("dt", key));
            meta.appendChild(el("dd", receipt[key], key === "status" ? "s-" + receipt[key] : ""));
          }
          for (const file of receipt.files || []) {
            meta.appendChild(el("dt", "file"));
            meta.appendChild(el("dd", file.path + (file.changed ? " (changed)" : "")));
          }
          const diff = $("d-diff");
          diff.replaceChildren();
          for (const line of (receipt.diff || "(no diff)").split("\n")) {
            let cls = "";
            if (line.startsWith("+++") || line.startsWith("---")) cls = "file";
            else if (line.startsWith("+")) cls = "add";
            else if (line.startsWith("-")) cls = "del";
            else if (line.startsWith("@@")) cls = "hunk";
            diff.appendChild(el("span", line, cls));
          }
          const steps = $("d-steps");
          steps.replaceChildren();
          if (!(receipt.steps || []).length) steps.appendChild(el("p", "No steps ran."));
          for (const step of receipt.steps || []) {
            const box = el("div", null, "step");
            box.appendChild(el("div", step.phase + ": " + step.command + "  (exit " + step.exit_code + ", " + Math.round(step.duration_ms) + " ms)"));
            box.appendChild(el("pre", (step.stdout || "") + (step.stderr ? "\n[stderr]\n" + step.stderr : "") || "(no output)"));
            steps.appendChild(box);
          }
          $("d-retry").hidden = receipt.status !== "failed";
          $("d-cancel").hidden = receipt.status !== "queued";
          $("d-revert").hidden = receipt.status !== "applied";
          for (const tr of $("patches").tBodies[0].rows) tr.className = tr.dataset.id === id ? "selected" : "";
        }

        async function act(method, path, question) {
          if (question && !window.confirm(question)) return;
          try {
            await api(method, path);
            notice("");
          } catch (error) { notice(error.message); }
        }

        // Throughput and latency over the last hour, from one page of each queue's patches finished since then.
        async function refreshHourly() {
          if ($("main").hidden || !state.status) return;
          state.hourlyAt = Date.now();
          const since = new Date(Date.now() - 3600 * 1000).toISOString().replace(/\.\d+Z$/, "Z");
          for (const name of Object.keys(state.status.queues || {})) {
            try {
              const page = await api("GET", "/api/patches?limit=500&queue=" + encodeURIComponent(name) + "&since=" + since);
              const done = (page.patches || []).filter((p) => p.finished_at && p.received_at);
              const ms = done.map((p) => new Date(p.finished_at) - new Date(p.received_at)).sort((a, b) => a - b);
              state.hourly[name] = { count: done.length, more: Boolean(page.next_cursor), p50: ms.length ? ms[Math.floor(ms.length / 2)] : undefined };
            } catch (error) { return; }
          }
          renderStatus(state.status);
        }

        async function boot() {
          let session = {};
          try { session = await (await fetch("/api/session", { credentials: "same-origin" })).json(); } catch (error) { setLive(false); setTimeout(boot, 3000); return; }
          state.readOnly = Boolean(session.read_only);
          document.body.classList.toggle("read-only", state.readOnly);
          $("readonly").hidden = !state.readOnly;
          $("signout").hidden = !(session.required && session.authenticated);
          if (session.required && !session.authenticated) showLogin(); else start();
        }

        document.addEventListener("DOMContentLoaded", () => {
          $("login-form").addEventListener("submit", signIn);
          $("signout").addEventListener("click", signOut);
          for (const id of ["f-status", "f-queue"]) $(id).addEventListener("change", () => loadPatches(true));
          let typing;
          $("f-q").addEventListener("input", () => { clearTimeout(typing); typing = setTimeout(() => loadPatches(true), 250); });
          $("more").addEventListener("click", () => loadPatches(false));
          $("d-close").addEventListener("click", () => { $("detail").hidden = true; state.selected = null; showPatches(state.rows, state.cursor); });
          $("d-retry").addEventListener("click", () => act("POST", "/api/patches/" + encodeURIComponent(state.selected) + "/retry",
            "Run patch " + state.selected + " again as its next attempt?"));
          $("d-cancel").addEventListener("click", () => act("POST", "/api/patches/" + encodeURIComponent(state.selected) + "/cancel",
            "Cancel queued patch " + state.selected + "? It will be filed failed (cancelled)."));
          $("d-revert").addEventListener("click", () => act("POST", "/api/patches/" + encodeURIComponent(state.selected) + "/revert",
            "Revert patch " + state.selected + "? Every file it changed is put back, if none changed since."));
          setInterval(refreshHourly, 60000);
          boot();
        });
        """#
}
