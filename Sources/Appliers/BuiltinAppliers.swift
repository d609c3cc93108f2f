public import ApplierAPI

extension ApplierRegistry {
    /// A registry holding every built-in role: `ui_patch`, `search_replace`, `unified_diff`, `apply_patch`,
    /// `json_patch`, `json_merge_patch`, `write`, `delete`, `chmod`, the three inserts and `shell`.
    public static func builtIn() -> ApplierRegistry { builtIn(cache: PatternCache()) }

    /// The built-in roles, with the regex role and shell allow lists sharing `cache`.
    /// - Parameter cache: The pattern cache shared by the regex role and shell allow lists.
    package static func builtIn(cache: PatternCache) -> ApplierRegistry {
        var registry = ApplierRegistry()
        registry.register(RegexApplier(cache: cache))
        registry.register(SearchReplaceApplier())
        registry.register(UnifiedDiffApplier())
        registry.register(ApplyPatchApplier())
        for standard in JSONDocumentApplier.Standard.allCases { registry.register(JSONDocumentApplier(standard)) }
        registry.register(WriteApplier())
        registry.register(DeleteApplier())
        registry.register(ChmodApplier())
        for placement in InsertApplier.Placement.allCases { registry.register(InsertApplier(placement)) }
        registry.register(ShellApplier(cache: cache))
        return registry
    }
}
