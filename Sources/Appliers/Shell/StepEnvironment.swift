package import ApplierAPI

/// Which variables a shell step's own `env` may set.
///
/// A variable can make an allowed program run other code: `LD_PRELOAD` loads a library into it,
/// `BASH_ENV` makes bash source a file, `NODE_OPTIONS=--require ./x.js` makes node load a script the patch
/// wrote, `GIT_CONFIG_*` can name a hook. So:
/// - ``never`` (and every name starting with one of ``neverPrefixes``) is refused always, even when
///   `shell.env_allow` lists it: the search path, the dynamic loader, shell start-up files and word splitting.
/// - Under an allow list, or when `shell.env_allow` is given, only the names it lists may be set.
/// - With shell on and neither list (`--allow-shell`), any other name may be set except ``deniedByDefault``
///   and names starting with ``deniedByDefaultPrefixes`` (case-insensitive for `npm_config_`), which
///   `shell.env_allow` can admit. Such a step can set variables in its command line anyway; this only
///   keeps the `env` field from being the easy way.
///
/// A refusal is ``Reason/shellNotAllowed`` before anything runs. The policy's own `env` is the
/// operator's and is not checked.
package enum StepEnvironment {
    /// Names no step may set.
    package static let never: Set<String> = ["PATH", "BASH_ENV", "ENV", "IFS", "SHELLOPTS", "BASHOPTS", "CDPATH", "PS4"]
    /// Prefixes no step may set: the dynamic loader (`LD_PRELOAD`, `LD_LIBRARY_PATH`, macOS `DYLD_*`) and
    /// bash's exported functions (`BASH_FUNC_name%%`).
    package static let neverPrefixes = ["LD_", "DYLD_", "BASH_FUNC_"]
    /// Names refused unless `shell.env_allow` lists them: interpreter start-up hooks and the places
    /// programs read configuration (and hence code) from.
    package static let deniedByDefault: Set<String> = [
        "NODE_OPTIONS", "NODE_PATH", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME", "PYTHONUSERBASE", "PERL5OPT", "PERL5LIB",
        "PERLLIB", "RUBYOPT", "RUBYLIB", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "HOME", "XDG_CONFIG_HOME",
        "ZDOTDIR", "GCONV_PATH", "PAGER", "EDITOR", "VISUAL", "SHELL",
    ]
    /// Prefixes refused unless `shell.env_allow` lists the name: npm's and git's configuration.
    package static let deniedByDefaultPrefixes = ["npm_config_", "GIT_"]

    /// Fails when the step's `env` sets a name the policy does not let it set.
    /// - Throws: ``Reason/shellNotAllowed`` naming the first such variable (in name order).
    package static func check(_ environment: [String: String], policy: ShellPolicy) throws(ApplyError) {
        for name in environment.keys.sorted() {
            if let why = refusal(of: name, policy: policy) {
                throw ApplyError(.shellNotAllowed, "shell env '\(name)' is not allowed: \(why)")
            }
        }
    }

    /// Why a step may not set `name`, or `nil` when it may.
    package static func refusal(of name: String, policy: ShellPolicy) -> String? {
        let valid = !name.isEmpty && name.unicodeScalars.allSatisfy { $0 != "=" && $0 != "\0" }
        guard valid else { return "not a variable name" }
        let upper = name.uppercased()
        if never.contains(upper) || neverPrefixes.contains(where: { upper.hasPrefix($0) }) {
            return "it changes which program or code runs, and no policy can allow it"
        }
        if policy.environmentAllow.contains(name) { return nil }
        if !policy.allow.isEmpty || !policy.environmentAllow.isEmpty {
            let listed = policy.environmentAllow.isEmpty ? "none" : policy.environmentAllow.joined(separator: ", ")
            return "a step may set only the names in shell.env_allow (\(listed))"
        }
        if deniedByDefault.contains(upper) || deniedByDefaultPrefixes.contains(where: { upper.hasPrefix($0.uppercased()) }) {
            return "it can make a program load other code; list it in shell.env_allow to allow it"
        }
        return nil
    }
}
