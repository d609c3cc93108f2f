import ApplierAPI

/// Reads a unified diff, git's or GNU diff's, into file patches.
///
/// Text before the first file section (a commit message, `diff -ru` lines) and between sections is
/// skipped, as `git apply` and GNU patch skip it. Inside a section every hunk's body must hold exactly
/// the lines its header counts: a truncated diff, or one whose counts were written by hand and are wrong,
/// is refused with the line number, never half applied.
struct UnifiedDiffParser {
    private let text: PatchTextLines
    private let target: String?
    private var index = 0
    private var patches: [FilePatch] = []

    private init(_ diff: String, target: String?) {
        text = PatchTextLines(diff)
        self.target = target
    }

    /// The file patches of `diff`, in order.
    /// - Parameters:
    ///   - diff: The diff text.
    ///   - target: The file hunks apply to when the diff has no `---`/`+++` header at all.
    /// - Throws: ``Reason/invalidPatch`` naming the diff line that is wrong.
    static func parse(_ diff: String, target: String?) throws(ApplyError) -> [FilePatch] {
        var parser = UnifiedDiffParser(diff, target: target)
        try parser.readSections()
        guard !parser.patches.isEmpty else {
            throw invalid(
                "no file section found: a unified diff has '--- a/path' and '+++ b/path' lines, then hunks headed "
                    + "'@@ -start,count +start,count @@'"
            )
        }
        return parser.patches
    }

    private mutating func readSections() throws(ApplyError) {
        while index < text.count {
            let line = text[index]
            if line.hasPrefix("diff --git ") {
                try readGitSection()
            } else if isFileHeader(index) {
                let names = DiffPath.strippingPrefixes(old: DiffPath.parse(line.dropFirst(4)), new: DiffPath.parse(text[index + 1].dropFirst(4)))
                let at = index
                index += 2
                // A plain diff never moves a file: `--- a.c.orig` / `+++ a.c` updates a.c.
                let path = names.new ?? names.old
                try addSection(old: names.old.flatMap { _ in path }, new: names.new, moveTo: nil, at: at, newFileMode: nil, deleted: false, mode: nil)
            } else if line.hasPrefix("@@") {
                guard patches.isEmpty, let target, !target.isEmpty else {
                    throw Self.invalid("line \(index + 1): a hunk outside any file's section (no '--- a/path' and '+++ b/path' lines before it)")
                }
                let at = index
                patches.append(
                    FilePatch(kind: .update, path: target, hunks: try readHunks(path: target), label: "the diff of \(target) at line \(at + 1)")
                )
            } else if line.hasPrefix("Binary files ") || line == "GIT binary patch" {
                throw Self.binary(at: index)
            } else {
                index += 1
            }
        }
    }

    /// `diff --git` and its extended header lines (`new file mode`, `rename from`, ...), then `---`/`+++` and
    /// hunks when the section has any (a mode change, a pure rename or an empty file has none).
    private mutating func readGitSection() throws(ApplyError) {
        let at = index
        let header = text[index].dropFirst("diff --git ".count)
        index += 1
        var fields: [String: String] = [:]
        let known = [
            "old mode ", "new mode ", "new file mode ", "deleted file mode ", "rename from ", "rename to ", "similarity index ",
            "dissimilarity index ", "index ",
        ]
        while index < text.count {
            let line = text[index]
            if line.hasPrefix("copy from ") || line.hasPrefix("copy to ") {
                throw Self.invalid("line \(index + 1): copies are not supported; send the copy as a new file (--- /dev/null)")
            }
            if line.hasPrefix("Binary files ") || line == "GIT binary patch" { throw Self.binary(at: index) }
            guard let field = known.first(where: { line.hasPrefix($0) }) else { break }
            fields[field] = String(line.dropFirst(field.count))
            index += 1
        }
        let renamed = fields["rename from "].map { ($0, fields["rename to "] ?? $0) }
        var names: (old: String?, new: String?)
        if isFileHeader(index) {
            names = DiffPath.strippingPrefixes(old: DiffPath.parse(text[index].dropFirst(4)), new: DiffPath.parse(text[index + 1].dropFirst(4)))
            index += 2
        } else if let renamed {
            names = (renamed.0, renamed.1)
        } else {
            guard let name = DiffPath.gitHeaderName(header) else {
                throw Self.invalid("line \(at + 1): cannot read the file name in '\(text[at])' and the section has no '---'/'+++' lines")
            }
            names = (fields["new file mode "] == nil ? name : nil, fields["deleted file mode "] == nil ? name : nil)
        }
        if let renamed, names.old != nil, names.new != nil { names = (renamed.0, renamed.1) }
        var modes: (created: UInt16?, changed: UInt16?) = (nil, nil)
        if let value = fields["new file mode "] { modes.created = try Self.mode(value, at: at) }
        if let value = fields["new mode "] { modes.changed = try Self.mode(value, at: at) }
        try addSection(
            old: names.old,
            new: names.new,
            moveTo: renamed.map(\.1),
            at: at,
            newFileMode: modes.created,
            deleted: fields["deleted file mode "] != nil,
            mode: modes.changed
        )
    }

    /// One file's patch from its names (`nil`: `/dev/null`) and what the headers say; reads its hunks.
    private mutating func addSection(
        old: String?,
        new: String?,
        moveTo: String?,
        at: Int,
        newFileMode: UInt16?,
        deleted: Bool,
        mode: UInt16?
    ) throws(ApplyError) {
        guard let path = old ?? new else { throw Self.invalid("line \(at + 1): both names of the file are /dev/null") }
        let label = "the diff of \(path) at line \(at + 1)"
        let hunks = try readHunks(path: path)
        if old == nil || newFileMode != nil {
            if let hunk = hunks.first(where: { !$0.old.isEmpty }) {
                throw Self.invalid("\(hunk.label): a new file's hunk has context or removed lines; a new file's hunks only add lines")
            }
            patches.append(FilePatch(kind: .create, path: path, hunks: hunks, mode: newFileMode, label: label))
        } else if new == nil || deleted {
            if let hunk = hunks.first(where: { !$0.new.isEmpty }) {
                throw Self.invalid("\(hunk.label): a deleted file's hunk has context or added lines; a deletion's hunks only remove lines")
            }
            patches.append(FilePatch(kind: .delete(checked: true), path: path, hunks: hunks, label: label))
        } else {
            let moveTo = moveTo.flatMap { $0 == path ? nil : $0 }
            if hunks.isEmpty, mode == nil, moveTo == nil {
                throw Self.invalid("line \(at + 1): the section of \(path) has no hunk ('@@ -start,count +start,count @@')")
            }
            patches.append(FilePatch(kind: .update, path: path, moveTo: moveTo, hunks: hunks, mode: mode, label: label))
        }
    }

    private mutating func readHunks(path: String) throws(ApplyError) -> [Hunk] {
        var hunks: [Hunk] = []
        while index < text.count, text[index].hasPrefix("@@") {
            hunks.append(try readHunk(number: hunks.count + 1, path: path))
        }
        return hunks
    }

    /// One hunk: its header, then exactly the lines it counts, and a `\ No newline at end of file` marker
    /// after the line it speaks of.
    private mutating func readHunk(number: Int, path: String) throws(ApplyError) -> Hunk {
        let at = index
        guard let header = HunkHeader(text[at]) else {
            throw Self.invalid(
                "line \(at + 1): '\(text[at])' is not a hunk header '@@ -start,count +start,count @@' "
                    + "(a bare '@@' belongs to the apply_patch role's format)"
            )
        }
        var hunk = Hunk(lines: [], label: "hunk \(number) of \(path) (diff line \(at + 1))", statedLine: header.oldStart)
        var left = (old: header.oldCount, new: header.newCount)
        var addedCRLF: Bool?
        func mismatch(_ what: String) -> ApplyError {
            Self.invalid(
                "line \(at + 1): hunk \(number) of \(path) says '\(header.text)' but \(what) with \(left.old) old and \(left.new) new "
                    + "line(s) still to come: the diff is truncated or its line counts are wrong; nothing applied"
            )
        }
        index += 1
        while left.old > 0 || left.new > 0 {
            guard index < text.count else { throw mismatch("the diff ends") }
            let line = text[index]
            let kind: HunkLine.Kind
            switch line.first {
            case nil, " ": kind = .context
            case "-": kind = .removed
            case "+": kind = .added
            case "\\":
                try noNewline(&hunk, at: index)
                index += 1
                continue
            default: throw mismatch("line \(index + 1) is not a hunk line (' ', '-' or '+')")
            }
            if kind != .added {
                guard left.old > 0 else { throw mismatch("line \(index + 1) is one old line too many") }
                left.old -= 1
            }
            if kind != .removed {
                guard left.new > 0 else { throw mismatch("line \(index + 1) is one new line too many") }
                left.new -= 1
            }
            if kind == .added { addedCRLF = (addedCRLF ?? true) && text.crlf[index] }
            hunk.lines.append(HunkLine(kind: kind, text: Array(line.utf8.dropFirst(line.isEmpty ? 0 : 1))))
            index += 1
        }
        if index < text.count, text[index].hasPrefix("\\") {
            try noNewline(&hunk, at: index)
            index += 1
        }
        // `-- ` closes a `git format-patch` mail (its signature follows): not a line the counts missed.
        if index < text.count, let next = text[index].first,
            next == "+" || next == " " || (next == "-" && !isFileHeader(index) && text[index] != "-- ")
        {
            throw Self.invalid(
                "line \(index + 1): a hunk line after hunk \(number) of \(path), whose header '\(header.text)' counts fewer lines: "
                    + "its line counts are wrong; nothing applied"
            )
        }
        if addedCRLF == true { hunk.newFileTerminator = Array("\r\n".utf8) }
        return hunk
    }

    /// `\ No newline at end of file`: the line before it ends its side(s) without a line break.
    private func noNewline(_ hunk: inout Hunk, at line: Int) throws(ApplyError) {
        guard let last = hunk.lines.last else { throw Self.invalid("line \(line + 1): '\(text[line])' before any line of its hunk") }
        if last.kind != .added {
            hunk.oldLacksFinalNewline = true
            hunk.atEnd = true
        }
        if last.kind != .removed { hunk.newLacksFinalNewline = true }
    }

    private func isFileHeader(_ line: Int) -> Bool {
        line + 1 < text.count && text[line].hasPrefix("--- ") && text[line + 1].hasPrefix("+++ ")
    }

    /// Permission bits from a git mode (`100755`); links and submodules are refused.
    private static func mode(_ text: String, at line: Int) throws(ApplyError) -> UInt16 {
        guard let value = Int(text.prefix { !$0.isWhitespace }, radix: 8), value >= 0, value & 0o170000 == 0o100000 || value < 0o10000 else {
            throw invalid("line \(line + 1): mode '\(text)' is not a regular file's (symbolic links and submodules are not supported)")
        }
        return UInt16(value & 0o777)
    }

    private static func binary(at line: Int) -> ApplyError {
        invalid("line \(line + 1): binary diffs are not supported; send the file with the 'write' role and base64 contents")
    }

    private static func invalid(_ message: String) -> ApplyError { ApplyError(.invalidPatch, message) }
}
