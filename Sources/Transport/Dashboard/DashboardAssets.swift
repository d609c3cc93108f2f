/// The dashboard's files, embedded in the binary: no build step, no CDN, nothing fetched from the internet.
///
/// The page loads one script and one style sheet from the host itself and holds no inline script or style,
/// so its Content-Security-Policy can forbid everything else.
enum DashboardAssets {
    /// One served file.
    struct Asset: Sendable {
        /// Its route.
        let path: String
        /// Its `Content-Type`.
        let contentType: String
        /// Its text.
        let text: String
    }

    /// Every file, by route.
    static let all = [
        Asset(path: "/", contentType: "text/html; charset=utf-8", text: page),
        Asset(path: "/assets/app.js", contentType: "text/javascript; charset=utf-8", text: script),
        Asset(path: "/assets/app.css", contentType: "text/css; charset=utf-8", text: style),
        Asset(path: "/assets/icon.svg", contentType: "image/svg+xml", text: icon),
    ]

    /// The policy every dashboard file is served with: the host's own script, style and API, nothing else.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

    /// The page's icon: a small ghost.
    static let icon = #"""
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="#1d2330" d="M16 2C9.4 2 5 6.9 5 13v17l4-3 3.5 3 3.5-3 3.5 3 3.5-3 4 3V13C27 6.9 22.6 2 16 2z"/><circle cx="12" cy="13" r="2.5" fill="#fff"/><circle cx="20" cy="13" r="2.5" fill="#fff"/></svg>
        """#

    static let page = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>GhostRunner</title>
        <link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
        <link rel="stylesheet" href="/assets/app.css">
        <script src="/assets/app.js" defer></script>
        </head>
        <body>
        <header>
          <h1>GhostRunner</h1>
          <span id="health" class="pill">…</span>
          <span id="live" class="pill off">offline</span>
          <span id="readonly" class="pill" hidden>read-only</span>
          <span class="spacer"></span>
          <button id="signout" hidden>Sign out</button>
        </header>
        <p id="notice" class="notice" hidden></p>

        <section id="login" hidden>
          <h2>Sign in</h2>
          <p class="hint">This host needs its token (<code>http.token_env</code>). The page trades it for a session
          cookie scripts cannot read, and does not keep it.</p>
          <form id="login-form">
            <label>Token <input id="token" type="password" autocomplete="current-password" required></label>
            <button type="submit">Sign in</button>
          </form>
          <p id="login-error" class="error"></p>
        </section>

        <main id="main" hidden>
          <section>
            <h2>Queues</h2>
            <table id="queues">
              <thead><tr><th>Queue</th><th>State</th><th>Depth</th><th>In hand</th><th>Applied</th><th>Failed</th>
              <th title="finished in the last hour">Last hour</th><th title="median time from received to finished, last hour">p50 latency</th><th></th></tr></thead>
              <tbody></tbody>
            </table>
          </section>

          <section>
            <h2>Components</h2>
            <table id="components">
              <thead><tr><th>Component</th><th>State</th><th>Restarts</th><th>Since</th><th>Last error</th></tr></thead>
              <tbody></tbody>
            </table>
          </section>

          <div class="columns">
          <section>
            <h2>Patches</h2>
            <div class="filters">
              <select id="f-status">
                <option value="">any status</option>
                <option>queued</option><option>applying</option><option>applied</option>
                <option>unchanged</option><option>duplicate</option><option>failed</option>
              </select>
              <select id="f-queue"><option value="">any queue</option></select>
              <input id="f-q" type="search" placeholder="search id">
            </div>
            <table id="patches">
              <thead><tr><th>Id</th><th>Queue</th><th>Status</th><th>Reason</th><th>Role</th><th>Attempt</th><th>Finished</th></tr></thead>
              <tbody></tbody>
            </table>
            <button id="more" hidden>More</button>
          </section>

          <section id="detail" hidden>
            <h2>Patch <span id="d-id"></span></h2>
            <div class="actions">
              <button id="d-retry" class="act" hidden>Retry</button>
              <button id="d-cancel" class="act" hidden>Cancel</button>
              <button id="d-revert" class="act" hidden>Revert</button>
              <button id="d-close">Close</button>
            </div>
            <dl id="d-meta"></dl>
            <h3>Diff</h3>
            <pre id="d-diff" class="diff"></pre>
            <h3>Steps</h3>
            <div id="d-steps"></div>
          </section>
          </div>
        </main>
        </body>
        </html>
        """#
}
