import ApplierAPI
import Appliers
import Testing

@Suite struct RegexApplierTests {
    let regex = RegexApplier()

    @Test func replacesEveryMatchAndCountsThem() async throws {
        let result = try await apply(regex, ["pattern": "<Text>.*?</Text>", "replacement": "<Text>Done</Text>"], to: "<Text>a</Text><Text>b</Text>")
        #expect(writtenText(result) == "<Text>Done</Text><Text>Done</Text>")
        #expect(result.details["matches"] == 2)
    }

    @Test func leavesCRLFAndBytesOutsideTheMatchUntouched() async throws {
        let result = try await apply(regex, ["pattern": "beta", "replacement": "BETA"], to: "alpha\r\nbeta\r\ngamma\r\n")
        #expect(writtenText(result) == "alpha\r\nBETA\r\ngamma\r\n")
    }

    @Test func countMustMatchExactly() async {
        let reason = await failureReason {
            _ = try await apply(regex, ["pattern": "a", "replacement": "b", "count": 1], to: "aaa")
        }
        #expect(reason == .countMismatch)
        #expect((try? await apply(regex, ["pattern": "a", "replacement": "b", "count": 3], to: "aaa")).flatMap(writtenText) == "bbb")
    }

    @Test func noMatchFails() async {
        #expect(await failureReason { _ = try await apply(regex, ["pattern": "zzz", "replacement": "y$1"], to: "abc") } == .noMatch)
    }

    /// A pattern that matches nowhere fails, even when the replacement text is somewhere in the file: that
    /// proves nothing (`Nope` → `return` in a file with a `return`). The failure says where the text is.
    @Test func replacementTextInTheFileIsAHintNeverASuccess() async throws {
        for (pattern, replacement, file, line) in [
            ("old title", "new title", "<h1>new title</h1>", 1), ("Nope", "return", "func f() {\n  let x = 1\n  return x\n}\n", 3),
        ] {
            do {
                _ = try await apply(regex, ["pattern": .string(pattern), "replacement": .string(replacement)], to: file)
                Issue.record("\(pattern) reported success")
            } catch let error as ApplyError {
                #expect(error.reason == .noMatch)
                #expect(error.message.contains("already present at line \(line)"))
            }
        }
    }

    @Test func emptyFileHasNoMatch() async {
        #expect(await failureReason { _ = try await apply(regex, ["pattern": "a", "replacement": "b"], to: "") } == .noMatch)
    }

    @Test func missingFileBinaryAndNonUTF8Fail() async {
        #expect(await failureReason { _ = try await apply(regex, ["pattern": "a", "replacement": "b"], to: nil) } == .fileNotFound)
        #expect(await failureReason { _ = try await apply(regex, ["pattern": "a", "replacement": "b"], to: "a\u{0}b") } == .binaryFile)
        let notUTF8 = await failureReason {
            let operation = PatchOperation(role: "ui_patch", target: "f", payload: ["pattern": "a", "replacement": "b"])
            let patch = Patch(id: "t", role: "ui_patch", shape: .single, targetFile: "f", description: nil, envelope: [:], operations: [operation])
            _ = try await regex.apply(
                operation,
                files: FileSet(files: ["f": FileContent(bytes: [0x61, 0xFF, 0xFE])], targetPath: "f"),
                context: ApplyContext(patch: patch, workspace: "/w")
            )
        }
        #expect(notUTF8 == .notUTF8)
    }

    @Test func brokenRegexAndBadPayload() async {
        #expect(await failureReason { _ = try await apply(regex, ["pattern": "(", "replacement": "b"], to: "a") } == .regexError)
        #expect(await failureReason { _ = try await apply(regex, ["pattern": "a"], to: "a") } == .invalidPatch)
        #expect(await failureReason { _ = try await apply(regex, ["pattern": "", "replacement": "x"], to: "a") } == .invalidPatch)
        #expect(await failureReason { _ = try await apply(regex, "just a string", to: "a") } == .invalidPatch)
        #expect(await failureReason { _ = try await apply(regex, ["pattern": "a", "replacement": "b", "flags": "z"], to: "a") } == .invalidPatch)
    }

    @Test func catastrophicPatternFailsWithRegexLimit() async {
        let line = String(repeating: "a", count: 10_000) + "!"
        #expect(await failureReason { _ = try await apply(regex, ["pattern": "(a+)+$", "replacement": "x"], to: line) } == .regexLimit)
    }

    @Test func javascriptWholeMatchAndTemplateLiteralsSurvive() async throws {
        let whole = try await apply(regex, ["pattern": "foo", "replacement": "[$&]"], to: "foo")
        #expect(writtenText(whole) == "[foo]")
        let template = try await apply(regex, ["pattern": "label", "replacement": "`${count} items` $name"], to: "label")
        #expect(writtenText(template) == "`${count} items` $name")
    }

    /// Source code is full of `\u`, `\U`, `\n`: every backslash is written as sent unless the payload says
    /// `extended: true` (no guessing from the text).
    @Test(arguments: [
        #"console.log("a\nb")"#,
        #"const s = "caf\u00e9\n\t";"#,
        #"let face = "\u{1F600}\(n)""#,
        #"path = r"C:\Users\Lena\new""#,
        #"printf("\U0001F600 \L \E")"#,
    ])
    func backslashesAreWrittenAsSent(code: String) async throws {
        let written = try await apply(regex, ["pattern": "X", "replacement": .string(code)], to: "X")
        #expect(writtenText(written) == code)
    }

    @Test func extendedSyntaxOnlyWhenThePayloadAsksForIt() async throws {
        let upper = try await apply(regex, ["pattern": "(\\w+)", "replacement": "\\U$1", "extended": true], to: "shout")
        #expect(writtenText(upper) == "SHOUT")
        let literal = try await apply(regex, ["pattern": "(\\w+)", "replacement": "\\U$1"], to: "shout")
        #expect(writtenText(literal) == "\\Ushout")
    }

    @Test func unicodeReplacement() async throws {
        let result = try await apply(
            regex,
            ["pattern": "<Text>This text will be patched.</Text>", "replacement": "<Text>✅ PATCHED</Text>"],
            to: "<Text>This text will be patched.</Text>"
        )
        #expect(writtenText(result) == "<Text>✅ PATCHED</Text>")
    }

    /// The applier stops at the context's file limit and spends the context's (the patch's) budget.
    @Test(arguments: [false, true])
    func theContextsFileLimitAndBudgetApply(extended: Bool) async throws {
        let operation = PatchOperation(
            role: "ui_patch",
            target: "f.txt",
            payload: ["pattern": "b", "replacement": "xyz", "extended": .bool(extended)]
        )
        let patch = Patch(id: "t", role: "ui_patch", shape: .single, targetFile: "f.txt", description: nil, envelope: [:], operations: [operation])
        let files = FileSet(files: ["f.txt": FileContent(bytes: Array("abcabc".utf8), mode: 0o644)], targetPath: "f.txt")
        let fits = ApplyContext(patch: patch, workspace: "/w", limits: PatchLimits(maxFileBytes: 10))
        #expect(writtenText(try await regex.apply(operation, files: files, context: fits)) == "axyzcaxyzc")
        let tooSmall = ApplyContext(patch: patch, workspace: "/w", limits: PatchLimits(maxFileBytes: 9))
        #expect(await failureReason { _ = try await regex.apply(operation, files: files, context: tooSmall) } == .limitExceeded)
        let spent = ApplyContext(patch: patch, workspace: "/w")
        spent.regexBudget.charge(.seconds(2))
        #expect(await failureReason { _ = try await regex.apply(operation, files: files, context: spent) } == .regexLimit)
    }
}
