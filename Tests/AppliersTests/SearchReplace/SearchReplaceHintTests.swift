import ApplierAPI
import Testing

/// A search that fits nowhere fails `no_match` with what a model needs to fix it in one retry.
@Suite struct SearchReplaceHintTests {
    let file = "import os\n\ndef total(items):\n    result = 0\n    for item in items:\n        result += item.price\n    return result\n"

    @Test func theClosestRegionIsQuotedWithLineNumbers() async {
        let error = await searchReplaceError(
            ["search": "def total(items):\n    result = 0\n    for item in item_list:\n", "replace": "x\n"],
            on: file
        )
        #expect(error?.reason == .noMatch)
        let message = error?.message ?? ""
        #expect(message.contains("closest is lines 3-5"), "\(message)")
        #expect(message.contains("\n3| def total(items):\n4|     result = 0\n5|     for item in items:"), "\(message)")
        #expect(
            message.contains(#"first difference: search line 3 is "    for item in item_list:" where line 5 is "    for item in items:""#),
            "\(message)"
        )
        #expect(!message.contains("already present"))
    }

    @Test func aReplacementAlreadyThereIsNamed() async {
        let error = await searchReplaceError(["search": "    result = 1\n", "replace": "    result = 0\n"], on: file)
        #expect(error?.reason == .noMatch)
        #expect(error?.message.contains("the replacement text is already present at line 4") == true, "\(error?.message ?? "")")
    }

    @Test func aFragmentHintNamesTheLine() async {
        let error = await searchReplaceError(["search": "item.cost", "replace": "item.price"], on: file)
        #expect(error?.reason == .noMatch)
        #expect(error?.message.contains("closest is line 6") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("already present at line 6") == true, "\(error?.message ?? "")")
    }

    @Test func hintsStayShortOnLongLinesAndBlocks() async {
        let long = String(repeating: "abcdefghij", count: 100)
        let search = (0..<20).map { "\(long) \($0)\n" }.joined()
        let error = await searchReplaceError(["search": .string(search), "replace": "x\n"], on: (0..<20).map { "\(long) \($0 + 1)\n" }.joined())
        #expect(error?.reason == .noMatch)
        #expect((error?.message.utf8.count ?? .max) < 2_500, "\(error?.message.utf8.count ?? 0) bytes")
    }

    @Test func anEmptyFileSaysSo() async {
        let error = await searchReplaceError(["search": "x\n", "replace": "y\n"], on: "")
        #expect(error?.reason == .noMatch)
        #expect(error?.message.contains("the file is empty") == true)
    }

    /// Found, but the replacement cannot lose the indentation the file lacks: refused, not mangled.
    @Test func aReplacementThatCannotBeOutdentedIsRefused() async {
        let error = await searchReplaceError(["search": "    a()\n", "replace": "b()\n"], on: "a()\n")
        #expect(error?.reason == .noMatch)
        #expect(error?.message.contains("replacement line 1 does not start with the whitespace to remove") == true, "\(error?.message ?? "")")
    }
}
