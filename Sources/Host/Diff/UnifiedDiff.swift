/// `diff -u` style text between two versions of a file.
///
/// Myers' O(ND) algorithm on lines, after trimming the common prefix and suffix. Past ``maximumEdits``
/// the remaining middle is shown as one replaced block, so a rewrite of a large file stays cheap.
public enum UnifiedDiff {
    /// Edit distance beyond which the diff stops looking for the shortest script.
    public static let maximumEdits = 2000
    /// Lines of context around each change.
    public static let contextLines = 3

    /// The unified diff from `old` to `new` of the file at `path` (`nil`: the file does not exist on that
    /// side); empty when they are equal.
    public static func make(path: String, old: [UInt8]?, new: [UInt8]?) -> String {
        if old == new { return "" }
        let oldHeader = old == nil ? "/dev/null" : "a/\(path)"
        let newHeader = new == nil ? "/dev/null" : "b/\(path)"
        if (old?.contains(0) ?? false) || (new?.contains(0) ?? false) {
            return "Binary files \(oldHeader) and \(newHeader) differ\n"
        }
        var table: [ArraySlice<UInt8>: Int] = [:]
        let a = Lines(old ?? [], table: &table)
        let b = Lines(new ?? [], table: &table)
        let script = editScript(a.ids, b.ids)
        var output = "--- \(oldHeader)\n+++ \(newHeader)\n"
        for hunk in hunks(script) {
            output += hunk.header
            for edit in script[hunk.range] {
                switch edit {
                case .keep(let i, _): a.append(i, prefix: " ", to: &output)
                case .delete(let i): a.append(i, prefix: "-", to: &output)
                case .insert(let j): b.append(j, prefix: "+", to: &output)
                }
            }
        }
        return output
    }

    /// One step of an edit script, with 0-based line indexes.
    enum Edit: Equatable {
        case keep(Int, Int)
        case delete(Int)
        case insert(Int)

        var isChange: Bool {
            if case .keep = self { return false }
            return true
        }
    }

    /// A file split into lines (each keeping its newline), each line interned as an integer.
    struct Lines {
        let bytes: [UInt8]
        private(set) var ranges: [Range<Int>] = []
        private(set) var ids: [Int] = []

        init(_ bytes: [UInt8], table: inout [ArraySlice<UInt8>: Int]) {
            self.bytes = bytes
            var start = 0
            for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
                ranges.append(start..<(index + 1))
                start = index + 1
            }
            if start < bytes.count { ranges.append(start..<bytes.count) }
            ids.reserveCapacity(ranges.count)
            for range in ranges {
                let line = bytes[range]
                if let id = table[line] {
                    ids.append(id)
                } else {
                    table[line] = table.count
                    ids.append(table.count - 1)
                }
            }
        }

        func append(_ line: Int, prefix: Character, to output: inout String) {
            let range = ranges[line]
            output.append(prefix)
            output += String(decoding: bytes[range], as: UTF8.self)
            if bytes[range.upperBound - 1] != UInt8(ascii: "\n") { output += "\n\\ No newline at end of file\n" }
        }
    }

    /// The edit script from `a` to `b`.
    static func editScript(_ a: [Int], _ b: [Int]) -> [Edit] {
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix && suffix < b.count - prefix && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        var script = (0..<prefix).map { Edit.keep($0, $0) }
        script += middle(a[prefix..<(a.count - suffix)], b[prefix..<(b.count - suffix)])
        script += (0..<suffix).map { Edit.keep(a.count - suffix + $0, b.count - suffix + $0) }
        return script
    }

    /// Myers' greedy shortest edit script between two slices (indexes in the slices' own numbering).
    private static func middle(_ a: ArraySlice<Int>, _ b: ArraySlice<Int>) -> [Edit] {
        let n = a.count
        let m = b.count
        let replaced = a.indices.map(Edit.delete) + b.indices.map(Edit.insert)
        if n == 0 || m == 0 { return replaced }
        let limit = min(n + m, maximumEdits)
        let offset = limit + 1
        var v = [Int](repeating: 0, count: 2 * limit + 3)
        // trace[d] holds v[-d-1 ... d+1] as it was when step d began.
        var trace: [[Int]] = []
        var found = -1
        search: for d in 0...limit {
            trace.append(Array(v[(offset - d - 1)...(offset + d + 1)]))
            for k in stride(from: -d, through: d, by: 2) {
                var x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1] : v[offset + k - 1] + 1
                var y = x - k
                while x < n && y < m && a[a.startIndex + x] == b[b.startIndex + y] {
                    x += 1
                    y += 1
                }
                v[offset + k] = x
                if x >= n && y >= m {
                    found = d
                    break search
                }
            }
        }
        guard found >= 0 else { return replaced }
        var edits: [Edit] = []
        var x = n
        var y = m
        for d in stride(from: found, to: 0, by: -1) {
            let previous = trace[d]
            func at(_ k: Int) -> Int { previous[k + d + 1] }
            let k = x - y
            let previousK = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1
            let previousX = at(previousK)
            let previousY = previousX - previousK
            while x > previousX && y > previousY {
                x -= 1
                y -= 1
                edits.append(.keep(a.startIndex + x, b.startIndex + y))
            }
            if x == previousX {
                y -= 1
                edits.append(.insert(b.startIndex + y))
            } else {
                x -= 1
                edits.append(.delete(a.startIndex + x))
            }
        }
        while x > 0 && y > 0 {
            x -= 1
            y -= 1
            edits.append(.keep(a.startIndex + x, b.startIndex + y))
        }
        return edits.reversed()
    }

    struct Hunk {
        var header: String
        var range: Range<Int>
    }

    /// Groups changes with ``contextLines`` of context; changes closer than twice that share a hunk.
    static func hunks(_ script: [Edit]) -> [Hunk] {
        var oldBefore = [Int](repeating: 0, count: script.count + 1)
        var newBefore = [Int](repeating: 0, count: script.count + 1)
        for (index, edit) in script.enumerated() {
            switch edit {
            case .keep:
                oldBefore[index + 1] = oldBefore[index] + 1
                newBefore[index + 1] = newBefore[index] + 1
            case .delete:
                oldBefore[index + 1] = oldBefore[index] + 1
                newBefore[index + 1] = newBefore[index]
            case .insert:
                oldBefore[index + 1] = oldBefore[index]
                newBefore[index + 1] = newBefore[index] + 1
            }
        }
        let changes = script.indices.filter { script[$0].isChange }
        var result: [Hunk] = []
        var position = 0
        while position < changes.count {
            let start = max(0, changes[position] - contextLines)
            var last = changes[position]
            position += 1
            while position < changes.count && changes[position] - last <= 2 * contextLines {
                last = changes[position]
                position += 1
            }
            let end = min(script.count, last + contextLines + 1)
            let oldLength = oldBefore[end] - oldBefore[start]
            let newLength = newBefore[end] - newBefore[start]
            let oldStart = oldLength > 0 ? oldBefore[start] + 1 : oldBefore[start]
            let newStart = newLength > 0 ? newBefore[start] + 1 : newBefore[start]
            result.append(Hunk(header: "@@ -\(oldStart),\(oldLength) +\(newStart),\(newLength) @@\n", range: start..<end))
        }
        return result
    }
}
