import ApplierAPI

/// The JSON Schemas (2020-12) of the built-in roles' payloads, as `ghost schema` prints them and as the
/// tool definitions given to a model carry them. Each is the form a model should write: what it accepts, the
/// role accepts too, while a few spellings the role also takes for old patches (`insertAt: "top"`, a mode as
/// the number `644`) are left out. `SchemaCommandTests` checks real and example patches against them with
/// Python's `jsonschema` and against a real host.
enum BuiltinPayloadSchemas {
    /// `ui_patch`.
    static let regex: JSONValue = [
        "type": "object",
        "required": ["pattern", "replacement"],
        "properties": [
            "pattern": ["type": "string", "minLength": 1, "description": "A PCRE2 pattern (UTF mode), matched everywhere in the file."],
            "replacement": [
                "type": "string",
                "description": "The text each match becomes: $1, ${name} and $$ are substituted; backslashes are literal unless extended is true.",
            ],
            "flags": ["type": "string", "pattern": "^[imsxug]*$", "description": "Pattern flags: i m s x u (g is always on)."],
            "count": ["type": "integer", "minimum": 0, "description": "The exact number of matches expected; another number fails count_mismatch."],
            "extended": ["type": "boolean", "description": "PCRE2's extended replacement syntax (\\U$1, \\n, …) instead of literal backslashes."],
        ],
    ]

    /// `write`.
    static let write: JSONValue = [
        "type": "object",
        "required": ["contents"],
        "properties": [
            "contents": ["type": "string", "description": "The whole new file."],
            "encoding": ["enum": ["utf8", "base64"], "description": "How contents is written (default utf8)."],
            "mode": mode,
        ],
    ]

    /// `delete`: nothing but the file.
    static let delete: JSONValue = ["type": ["object", "null"]]

    /// `chmod`.
    static let chmod: JSONValue = ["type": "object", "required": ["mode"], "properties": ["mode": mode]]

    /// `insertAfter` and `insertBefore`: the anchor under the role's name or `anchor`.
    static func insert(_ role: String) -> JSONValue {
        [
            "type": "object",
            "required": ["contents"],
            "properties": [
                "contents": ["type": "string", "description": "The text to insert."],
                role: ["type": "string", "minLength": 1, "description": "The anchor text; its first occurrence is used."],
                "anchor": ["type": "string", "minLength": 1, "description": "The anchor text, when not given under the role's name."],
                "fallback": fallback,
            ],
            "anyOf": [["required": [.string(role)]], ["required": ["anchor"]]],
        ]
    }

    /// `insertAt`: a 1-based line number, `start` or `end`.
    static let insertAt: JSONValue = [
        "type": "object",
        "required": ["contents"],
        "properties": [
            "contents": ["type": "string", "description": "The text to insert."],
            "insertAt": place,
            "anchor": place,
            "fallback": fallback,
        ],
        "anyOf": [["required": ["insertAt"]], ["required": ["anchor"]]],
    ]

    /// `shell`: a command line, or a command with its options.
    static let shell: JSONValue = [
        "oneOf": [
            ["type": "string", "minLength": 1, "pattern": "\\S", "description": "A command line for /bin/sh -c."],
            [
                "type": "object",
                "properties": [
                    "run": ["type": "string", "minLength": 1, "description": "A command line for /bin/sh -c."],
                    "argv": ["type": "array", "minItems": 1, "items": ["type": "string"], "description": "A program and its arguments, no shell."],
                    "cwd": [
                        "type": "string", "not": ["pattern": "(^/|(^|/)\\.\\.(/|$))"],
                        "description": "A folder inside the workspace (relative, no ..).",
                    ],
                    "timeout_s": ["type": "number", "exclusiveMinimum": 0],
                    "env": ["type": "object", "additionalProperties": ["type": "string"]],
                    "idempotent": ["type": "boolean"],
                ],
                "oneOf": [["required": ["run"]], ["required": ["argv"]]],
            ],
        ]
    ]

    /// `search_replace`: one edit, a list of edits, or Aider SEARCH/REPLACE blocks.
    static let searchReplace: JSONValue = [
        "oneOf": [
            [
                "type": "object",
                "required": ["search", "replace"],
                "properties": ["search": ["type": "string"], "replace": ["type": "string"]],
                "not": ["required": ["edits"]],
            ],
            [
                "type": "object",
                "required": ["edits"],
                "properties": [
                    "edits": [
                        "type": "array",
                        "minItems": 1,
                        "items": [
                            "type": "object",
                            "required": ["search", "replace"],
                            "properties": [
                                "path": ["type": "string", "minLength": 1, "description": "The file (default: target_file)."],
                                "search": ["type": "string", "description": "Existing text, unique in the file; with a line break, whole lines."],
                                "replace": ["type": "string"],
                            ],
                        ],
                    ]
                ],
                "not": ["required": ["search"]],
            ],
            [
                "type": "string",
                "pattern": "<{5,9} SEARCH",
                "description": "Aider blocks: the path alone on a line, then <<<<<<< SEARCH, the lines, =======, the new lines, >>>>>>> REPLACE.",
            ],
        ]
    ]

    /// `unified_diff`: the diff text, or the diff with the context lines a hunk may set aside.
    static let unifiedDiff: JSONValue = [
        "oneOf": [
            diffText,
            [
                "type": "object",
                "required": ["diff"],
                "properties": [
                    "diff": diffText,
                    "fuzz": [
                        "type": "integer", "minimum": 0,
                        "description": "How many context lines a hunk that fits nowhere whole may set aside at each end (default 0).",
                    ],
                ],
            ],
        ]
    ]

    /// `apply_patch`: the Codex envelope, as text or under `patch` / `input`.
    static let applyPatch: JSONValue = [
        "oneOf": [
            codexText,
            [
                "type": "object", "properties": ["patch": codexText, "input": codexText],
                "anyOf": [["required": ["patch"]], ["required": ["input"]]],
            ],
        ]
    ]

    private static let diffText: JSONValue = [
        "type": "string",
        "pattern": "(^|\\n)(@@ -|diff --git )",
        "description": .string(
            "A git or GNU unified diff, several files allowed: --- a/path, +++ b/path, then hunks '@@ -start,count +start,count @@' "
                + "whose counts match their lines, each with context lines that fit one place."
        ),
    ]

    private static let codexText: JSONValue = [
        "type": "string",
        "pattern": "\\*\\*\\* Begin Patch",
        "description": .string(
            "*** Begin Patch, then *** Add File: path (+ lines), *** Delete File: path or *** Update File: path "
                + "(optional *** Move to: path, then chunks: @@ [a line to find first], ' ' context, '-' removed, '+' added lines), *** End Patch."
        ),
    ]

    /// `json_patch`: RFC 6902 operations, as an array or under `operations` (a v2 mutation's way).
    static let jsonPatch: JSONValue = [
        "oneOf": [
            ["type": "array", "items": jsonPatchOperation, "description": "RFC 6902 operations, applied in order, all or none."],
            ["type": "object", "required": ["operations"], "properties": ["operations": ["type": "array", "items": jsonPatchOperation]]],
        ]
    ]

    /// `json_merge_patch`: the RFC 7396 merge document, or `{"merge": …}` (a v2 mutation's way).
    static let jsonMergePatch: JSONValue = [
        "type": "object",
        "description":
            "The RFC 7396 merge document: members are set recursively, a null member removes one. A merge document that is not an object (it replaces the whole value) goes in {\"merge\": …}.",
    ]

    private static let jsonPatchOperation: JSONValue = [
        "type": "object",
        "required": ["op", "path"],
        "properties": [
            "op": ["enum": ["add", "remove", "replace", "move", "copy", "test"]],
            "path": jsonPointer,
            "from": jsonPointer,
            "value": ["description": "Any JSON value (null included)."],
        ],
        "allOf": [
            ["if": ["properties": ["op": ["enum": ["add", "replace", "test"]]]], "then": ["required": ["value"]]],
            ["if": ["properties": ["op": ["enum": ["move", "copy"]]]], "then": ["required": ["from"]]],
            ["if": ["properties": ["op": ["const": "remove"]]], "then": ["properties": ["path": ["minLength": 1]]]],
        ],
    ]

    private static let jsonPointer: JSONValue = [
        "type": "string",
        "pattern": "^(/([^~]|~[01])*)?$",
        "description":
            "A JSON Pointer (RFC 6901): \"\" is the whole document, /a/0 the first element of a; ~1 is / and ~0 is ~ in a key; - is an array's end (add only).",
    ]

    private static let mode: JSONValue = [
        "type": "string", "pattern": "^(0o)?0?[0-7]{1,3}$", "description": "Octal permissions as a string (\"0644\"), at most 0777.",
    ]

    private static let fallback: JSONValue = [
        "enum": ["error", "append", "prepend", "skip"], "description": "What to do when the anchor is missing (default error: fail no_match).",
    ]

    private static let place: JSONValue = [
        "oneOf": [["type": "integer", "minimum": 1], ["enum": ["start", "end"]]],
        "description": "A 1-based line number (the text goes before it; one past the last line appends), start or end.",
    ]
}
