import ApplierAPI
import ArgumentParser
import Foundation
import Host

/// `ghost schema`: the JSON Schema of a patch (every role's payload included), or tool definitions for a
/// model, so that what a model emits is a valid patch by construction.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema (2020-12) of a patch, or tool definitions (OpenAI, Anthropic) for a model.",
        discussion: """
            Without --tools: one schema of the envelope, each role's payload under $defs (payload_<role>),
            custom roles from --config included (an exec plugin's roles.NAME.schema). With --tools openai or
            --tools anthropic: one tool per role whose call arguments are a complete patch, ready to POST to
            /api/patches. A running host serves the same as GET /api/schema[?tools=openai].
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("A ghost.yml whose exec plugin roles to include.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Tool definitions instead of the schema: openai or anthropic.", valueName: "shape"))
    var tools: String?

    @Option(help: ArgumentHelp("Only this role (a tool list of one, or the schema with only its payload).", valueName: "role"))
    var role: String?

    func run() throws {
        var registry = GhostCommand.registry
        if let config { registry = try ConfigOption.load(config).registry(extending: registry) }
        var roles = registry.descriptors
        if let role {
            guard let descriptor = registry.entry(for: role)?.descriptor else {
                throw CLIError.usage("unknown role '\(role)'; roles: \(registry.descriptors.map(\.name).joined(separator: ", "))")
            }
            roles = [descriptor]
        }
        guard let tools else {
            print(PatchSchema.document(for: roles).serialized)
            return
        }
        guard let shape = PatchSchema.ToolShape(rawValue: tools) else {
            throw ValidationError("--tools must be one of: \(PatchSchema.ToolShape.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        print(PatchSchema.tools(for: roles, shape: shape).serialized)
    }
}
