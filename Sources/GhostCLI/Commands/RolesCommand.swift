import ApplierAPI
import ArgumentParser
import Foundation
import Host

/// `ghost roles`: every role this host knows, with aliases and where it comes from.
struct RolesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roles",
        abstract: "List the roles (built-in and plugins) with their aliases and payloads."
    )

    @Flag(help: "One JSON object per role instead of a table.")
    var json = false

    @Option(name: .shortAndLong, help: ArgumentHelp("A ghost.yml whose exec plugin roles to list too.", valueName: "file"))
    var config: String?

    func run() throws {
        var registry = GhostCommand.registry
        if let config { registry = try ConfigOption.load(config).registry(extending: registry) }
        let descriptors = registry.descriptors
        if json {
            for role in descriptors {
                let object: JSONValue = [
                    "name": .string(role.name),
                    "aliases": .array(role.aliases.map(JSONValue.string)),
                    "summary": .string(role.summary),
                    "origin": .string(role.origin),
                ]
                print(object.serialized)
            }
            return
        }
        let width = descriptors.map { $0.allNames.joined(separator: ", ").count }.max() ?? 0
        for role in descriptors {
            let names = role.allNames.joined(separator: ", ")
            let origin = role.origin == "built-in" ? "" : "  [\(role.origin)]"
            print(names.padding(toLength: width + 2, withPad: " ", startingAt: 0) + role.summary + origin)
        }
    }
}
