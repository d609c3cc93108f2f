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
