import ApplierAPI

/// Writes ``JSONNode``s back as JSON text in a file's ``JSONStyle``.
///
/// A value still holding its text (``JSONNode/text``) is copied from the file, unless it spans several
/// lines and now sits at another indentation. A changed container is written again in its own layout
/// (on one line with the spacing it had, or one member per line at the indentation it had), its keys as
/// the file wrote them; a new one in the file's style. New keys and strings get minimal escapes, numbers
/// are written as their text.
struct JSONDocumentWriter {
    /// The file's bytes, which ``JSONSourceText`` and ``JSONContainerLayout`` ranges point into.
    let source: [UInt8]
    /// The formatting for what is written anew.
    let style: JSONStyle
    /// Whether to copy text and layouts from the file; off for one-line previews.
    var keepsLayout = true
    /// Stop writing once the output is longer than this (previews).
    var limit = Int.max
    /// The text written so far.
    private(set) var output: [UInt8] = []

    /// A writer copying from `source`.
    init(source: [UInt8], style: JSONStyle) {
        self.source = source
        self.style = style
    }

    /// Appends `node`, whose first line is indented with `indent`.
    mutating func write(_ node: JSONNode, indent: [UInt8]) {
        guard output.count <= limit else { return }
        if keepsLayout, let text = node.text, !text.multiLine || source[text.lineIndent].elementsEqual(indent) {
            output.append(contentsOf: source[text.range])
            return
        }
        switch node.kind {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let text): output.append(contentsOf: text.utf8)
        case .string(let string): JSONValue.string(string).write(to: &output)
        case .array(let elements):
            writeContainer("[", "]", count: elements.count, layout: node.layout, indent: indent) { writer, position, inner in
                writer.write(elements[position], indent: inner)
            }
        case .object(let members):
            writeContainer("{", "}", count: members.count, layout: node.layout, indent: indent) { writer, position, inner in
                if writer.keepsLayout, let keyText = members[position].keyText {
                    writer.output.append(contentsOf: writer.source[keyText])
                } else {
                    JSONValue.string(members[position].key).write(to: &writer.output)
                }
                writer.output.append(contentsOf: writer.style.resolvedKeySeparator)
                writer.write(members[position].value, indent: inner)
            }
        }
    }

    private mutating func writeContainer(
        _ open: Unicode.Scalar,
        _ close: Unicode.Scalar,
        count: Int,
        layout: JSONContainerLayout?,
        indent: [UInt8],
        member: (inout JSONDocumentWriter, Int, [UInt8]) -> Void
    ) {
        output.append(UInt8(ascii: open))
        let layout = keepsLayout ? layout : nil
        let memberIndent = count == 0 ? nil : self.memberIndent(layout: layout, indent: indent)
        var separator = style.resolvedItemSeparator
        if case .inline(let spaced?) = layout { separator = spaced ? Array(", ".utf8) : [UInt8(ascii: ",")] }
        for position in 0..<count where output.count <= limit {
            if position > 0 { output.append(contentsOf: memberIndent == nil ? separator : [UInt8(ascii: ",")]) }
            if let memberIndent { output.append(contentsOf: style.newline + memberIndent) }
            member(&self, position, memberIndent ?? indent)
        }
        if memberIndent != nil { output.append(contentsOf: style.newline + indent) }
        output.append(UInt8(ascii: close))
    }

    /// The members' indentation, or `nil` to write them on one line.
    private func memberIndent(layout: JSONContainerLayout?, indent: [UInt8]) -> [UInt8]? {
        switch layout {
        case .inline: nil
        case .lines(let lineIndent, let memberIndent) where source[lineIndent].elementsEqual(indent): Array(source[memberIndent])
        case .lines: indent + (style.indentUnit ?? [])
        case nil: style.indentUnit.map { indent + $0 }
        }
    }
}
