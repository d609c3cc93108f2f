extension JSONNode {
    /// The value as compact JSON, cut after about `limit` bytes with an ellipsis: what a message shows.
    func preview(limit: Int = 120) -> String {
        var writer = JSONDocumentWriter(source: [], style: .compact)
        writer.keepsLayout = false
        writer.limit = limit
        writer.write(self, indent: [])
        let text = String(decoding: writer.output.prefix(limit), as: UTF8.self)
        return writer.output.count > limit ? text + "…" : text
    }
}

extension String {
    /// The text in double quotes, cut after `limit` characters with an ellipsis: keys, tokens and
    /// pointers in messages, which a patch could make arbitrarily long.
    func quoted(limit: Int = 60) -> String {
        count > limit ? "\"\(prefix(limit))…\"" : "\"\(self)\""
    }

    /// The text cut after `limit` characters with an ellipsis.
    func bounded(_ limit: Int = 200) -> String {
        count > limit ? "\(prefix(limit))…" : self
    }
}
