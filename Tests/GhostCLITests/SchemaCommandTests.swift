import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// `ghost schema` and `GET /api/schema`: a schema Python's `jsonschema` takes, that real patches pass and
/// bad ones fail, that the host agrees with, and exec plugins' own payload schemas checked at intake.
@Suite struct SchemaCommandTests {
    private static var root: String { ExecPluginTests.root }
    private static var examples: JSONValue {
        get throws { try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: root + "/Fixtures/schema/examples.json")))) }
    }

    @Test func theSchemaAndTheToolsPassPythonsJSONSchemaOnRealAndExamplePatches() async throws {
        let folder = try makeTempFolder("cli")
        var files: [String] = []
        for (name, arguments) in [
            ("schema", ["schema"]), ("openai", ["schema", "--tools", "openai"]), ("anthropic", ["schema", "--tools", "anthropic"]),
        ] {
            let result = try await GhostProcess.run(arguments)
            #expect(result.status == 0, "\(result.stderr)")
            try write(result.stdout, to: folder + "/\(name).json")
            files.append(folder + "/\(name).json")
        }
        let check = try await GhostProcess.run(
            ["python3", Self.root + "/Fixtures/schema/check_schema.py"] + files + [
                Self.root + "/Fixtures/schema/examples.json", Self.root + "/Fixtures/real-world",
            ],
            program: "/usr/bin/env"
        )
        #expect(check.status == 0, "needs python3 with jsonschema (pip install jsonschema): \(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("6 real-world patches"), "\(check.stdout)")
        #expect(check.stdout.hasSuffix("; 0 failures\n"), "\(check.stdout)")
    }

    @Test func theHostRefusesAtIntakeWhatTheSchemaRefusesAndTakesWhatItTakes() async throws {
        let folder = try makeTempFolder("cli")
        let host = try await ServeProcess.start(folder: folder)
        let examples = try Self.examples
        for patch in examples["valid"]?.arrayValue ?? [] {
            let answer = try host.request("POST", "/api/patches", body: patch.serialized)
            let code = json(answer)?["result"]?["error"]?["code"]?.stringValue
            #expect(!["invalid_patch", "invalid_json", "unknown_role"].contains(code ?? ""), "\(patch.serialized): \(answer.status) \(code ?? "")")
        }
        for example in examples["invalid"]?.arrayValue ?? [] {
            let answer = try host.request("POST", "/api/patches", body: example["patch"]?.serialized ?? "")
            #expect([400, 422].contains(answer.status), "\(example["why"]?.stringValue ?? ""): \(answer.status)")
        }
        #expect(await host.stop() == 0)
    }

    @Test func theHostServesTheSameSchemaAndTools() async throws {
        let folder = try makeTempFolder("cli")
        let host = try await ServeProcess.start(folder: folder)
        for (query, arguments) in [
            ("", ["schema"]), ("?tools=openai", ["schema", "--tools", "openai"]), ("?tools=anthropic", ["schema", "--tools", "anthropic"]),
        ] {
            let served = try host.request("GET", "/api/schema\(query)")
            #expect(served.status == 200)
            let printed = try await GhostProcess.run(arguments)
            #expect(json(served) == (try? JSONParser.parse(Array(printed.stdout.utf8))), "\(query)")
        }
        #expect(try host.request("GET", "/api/schema?tools=gemini").status == 422)
        #expect(await host.stop() == 0)
    }

    private static let pluginConfig = """
        queues:
          main: {dir: inbox, workspace: ws}
        roles:
          fmt:
            exec: [/bin/cat]
            schema:
              type: object
              required: [style]
              additionalProperties: false
              properties:
                style: {enum: [tabs, spaces]}
                width: {type: integer, minimum: 1, maximum: 16}
        """

    @Test func anExecRolesSchemaIsCheckedAtIntakeAndPublished() async throws {
        let folder = try makeTempFolder("cli")
        try FileManager.default.createDirectory(atPath: folder + "/ws", withIntermediateDirectories: true)
        try write(Self.pluginConfig, to: folder + "/ghost.yml")
        let host = try await ServeProcess.start(folder: folder)
        let bad = try host.request(
            "POST",
            "/api/patches",
            body: #"{"id": "f1", "role": "fmt", "target_file": "a.txt", "patch": {"style": "both", "width": 40, "colour": "red"}}"#
        )
        #expect(bad.status == 422)
        let message = json(bad)?["result"]?["error"]?["message"]?.stringValue ?? ""
        #expect(message.contains("roles.fmt.schema"), "\(message)")
        #expect(message.contains(#"payload/style: expected one of "tabs", "spaces", found "both""#), "\(message)")
        #expect(message.contains("payload/width: expected at most 16, found 40"), "\(message)")
        #expect(message.contains("unknown member 'colour' (allowed: style, width)"), "\(message)")
        #expect(files(in: folder + "/inbox").filter { !$0.hasPrefix(".") }.isEmpty, "nothing of a refused patch is kept")
        let good = try host.request("POST", "/api/patches", body: #"{"id": "f2", "role": "fmt", "target_file": "a.txt", "patch": {"style": "tabs"}}"#)
        #expect(good.status == 202)
        let tools = json(try host.request("GET", "/api/schema?tools=anthropic"))?.arrayValue ?? []
        let fmt = tools.first { $0["name"] == "ghost_fmt" }
        #expect(fmt?["input_schema"]?["properties"]?["patch"]?["required"] == ["style"])
        #expect(await host.stop() == 0)

        let printed = try await GhostProcess.run(["schema", "--config", folder + "/ghost.yml"])
        #expect(json(printed.stdout)?["$defs"]?["payload_fmt"]?["properties"]?["style"]?["enum"] == ["tabs", "spaces"])
    }

    @Test func aSchemaWithAKeywordThatIsNotCheckedStopsTheHostAtStart() async throws {
        try await expectServeRefuses(
            config: "queues:\n  main: {dir: inbox, workspace: .}\nroles:\n  fmt:\n    exec: [/bin/cat]\n    schema: {$ref: 'other.json'}\n",
            mentions: ["roles.fmt.schema", "'$ref'", "not supported"]
        )
    }
}

private func json(_ text: String) -> JSONValue? { try? JSONParser.parse(Array(text.utf8)) }
