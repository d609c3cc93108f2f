extension DashboardAssets {
    /// `/assets/app.css`.
    static let style = #"""
        :root { --fg: #1d2330; --muted: #667085; --line: #e4e7ec; --bg: #f8f9fb; --ok: #12805c; --bad: #c4320a; --warn: #b54708; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
        header { display: flex; align-items: center; gap: .6rem; padding: .6rem 1.2rem; background: #1d2330; color: #fff; }
        header h1 { font-size: 1.1rem; margin: 0 .6rem 0 0; }
        .spacer { flex: 1; }
        main, #login, .notice { max-width: 1440px; margin: 0 auto; padding: 0 1.2rem; }
        section { margin: 1.2rem 0; }
        h2 { font-size: 1rem; margin: 0 0 .5rem; }
        h3 { font-size: .9rem; margin: 1rem 0 .3rem; color: var(--muted); }
        table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
        th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-weight: 600; color: var(--muted); font-size: .8rem; }
        #patches tbody tr { cursor: pointer; }
        #patches tbody tr:hover, #patches tbody tr.selected { background: #eef4ff; }
        td.id { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
        .pill { display: inline-block; padding: .05rem .5rem; border-radius: 1rem; font-size: .8rem; background: #e4e7ec; color: var(--fg); }
        .pill.ok, .s-applied, .s-up, .s-healthy, .s-running { color: var(--ok); }
        header .pill.ok { background: #d1fadf; }
        .pill.off, header .pill.bad { background: #fee4e2; color: var(--bad); }
        .s-failed, .s-down, .s-degraded { color: var(--bad); font-weight: 600; }
        .s-queued, .s-applying, .s-paused, .s-restarting { color: var(--warn); }
        .filters { display: flex; gap: .5rem; margin-bottom: .5rem; }
        button, select, input { font: inherit; padding: .25rem .6rem; border: 1px solid #d0d5dd; border-radius: 4px; background: #fff; }
        button { cursor: pointer; }
        button:hover { background: #f2f4f7; }
        header button { color: var(--fg); }
        #more { margin-top: .5rem; }
        body.read-only .act { display: none; }
        .actions { display: flex; gap: .5rem; margin-bottom: .5rem; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
        dt { color: var(--muted); }
        dd { margin: 0; word-break: break-all; }
        pre { background: #fff; border: 1px solid var(--line); padding: .5rem; overflow: auto; max-height: 28rem; margin: 0;
              font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
        .diff span { display: block; white-space: pre; }
        .diff .add { background: #e6ffed; color: #05612d; }
        .diff .del { background: #ffeef0; color: #9f1c1c; }
        .diff .hunk { color: #5a32a3; background: #f5f0ff; }
        .diff .file { font-weight: 600; }
        .step { margin-bottom: .6rem; }
        .notice { background: #fffaeb; border: 1px solid #fedf89; padding: .4rem .8rem; margin-top: .8rem; border-radius: 4px; }
        .error { color: var(--bad); }
        #login { margin-top: 1.5rem; }
        .hint { color: var(--muted); max-width: 40rem; }
        @media (min-width: 1100px) {
          .columns:has(#detail:not([hidden])) { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.2rem; }
          .columns > section { margin-top: 0; }
        }
        [hidden] { display: none !important; }
        """#
}
