import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// Starting with the machine: the service files `ghost service install` writes, and the readiness the host
/// announces over `$NOTIFY_SOCKET` (these machines run no systemd: the test binds the socket itself).
@Suite struct ServiceInstallTests {
    @Test func dryRunPrintsASystemdNotifyUnitRunningServeWithTheConfig() async throws {
        let folder = try makeTempFolder("cli")
        try write("queues: {main: {dir: inbox, workspace: .}}\n", to: folder + "/ghost.yml")
        let result = try await GhostProcess.run(
            ["service", "install", "--user", "--config", "ghost.yml", "--dry-run", "--manager", "systemd"],
            in: folder
        )
        #expect(result.status == 0, "\(result.stderr)")
        let unit = result.stdout
        for line in [
            "Type=notify", "Restart=on-failure", "ExecReload=/bin/kill -HUP $MAINPID", "WantedBy=default.target", "WorkingDirectory=\(folder)",
            "ExecStart=\(GhostProcess.binary) serve --config \(folder)/ghost.yml",
        ] {
            #expect(unit.split(separator: "\n").contains { $0 == line }, "\(line) in\n\(unit)")
        }
        #expect(result.stderr.contains(".config/systemd/user/ghost.service"))
    }

    @Test func dryRunPrintsALaunchdJobThatRestartsOnFailure() async throws {
        let folder = try makeTempFolder("cli")
        let result = try await GhostProcess.run(["service", "install", "--user", "--dry-run", "--manager", "launchd"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let plist = result.stdout
        #expect(plist.contains("<string>dev.ghostrunner.ghost</string>"))
        #expect(plist.contains("<string>\(GhostProcess.binary)</string>\n        <string>serve</string>"))
        #expect(plist.contains("<key>RunAtLoad</key>\n    <true/>"))
        #expect(plist.contains("<key>SuccessfulExit</key>\n        <false/>"))
        #expect(result.stderr.contains("Library/LaunchAgents/dev.ghostrunner.ghost.plist"))
    }

    @Test func theExampleUnitMatchesWhatInstallWrites() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let definition = ServiceDefinition(
            executable: "/usr/local/bin/ghost",
            arguments: ["serve", "--config", "/etc/ghost/ghost.yml"],
            workingDirectory: "/srv/ghost",
            user: "ghost",
            perUser: false,
            home: "/home/ghost"
        )
        #expect(readText(root + "/Examples/service/ghost.service") == SystemdUnit.render(definition))
        #expect(readText(root + "/Examples/service/dev.ghostrunner.ghost.plist") == LaunchdPlist.render(definition))
    }

    @Test func systemdHearsReadyOnceTheHostListensAndStoppingWhenItStops() async throws {
        let folder = try makeTempFolder("cli")
        let socket = try NotifySocket()
        let host = try await ServeProcess.start(folder: folder, environment: ["NOTIFY_SOCKET": socket.path])
        let ready = try await onThread { socket.receive(seconds: 10) }
        #expect(ready?.split(separator: "\n").contains("READY=1") == true, "\(ready ?? "nothing")")
        #expect(ready?.contains("STATUS=listening on http://127.0.0.1:\(host.port)") == true)
        #expect(try host.request("GET", "/health").status == 200)
        kill(host.process.processIdentifier, SIGTERM)
        let stopping = try await onThread { socket.receive(seconds: 10) }
        #expect(stopping == "STOPPING=1")
        #expect(await host.waitForExit() == 0)
    }

    /// With `WatchdogSec=` systemd sets `WATCHDOG_USEC`: the host beats at half that, and stops beating
    /// (STOPPING=1, without waiting for the next beat) when it stops.
    @Test func theHostFeedsSystemdsWatchdog() async throws {
        let folder = try makeTempFolder("cli")
        let socket = try NotifySocket()
        let host = try await ServeProcess.start(
            folder: folder,
            environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "400000"]
        )
        var messages: [String] = []
        for _ in 0..<4 { if let message = try await onThread({ socket.receive(seconds: 5) }) { messages.append(message) } }
        #expect(messages.filter { $0 == "WATCHDOG=1" }.count >= 2, "\(messages)")
        kill(host.process.processIdentifier, SIGTERM)
        var last: String?
        for _ in 0..<20 {
            guard let message = try await onThread({ socket.receive(seconds: 5) }) else { break }
            last = message
            if message == "STOPPING=1" { break }
        }
        #expect(last == "STOPPING=1")
        #expect(await host.waitForExit() == 0)
    }

    /// install writes the per-user unit, status finds it current, uninstall removes it and says how to stop it.
    @Test func installStatusAndUninstallAPerUserUnit() async throws {
        let home = try makeTempFolder("home")
        let environment = ["HOME": home]
        let unit = home + "/.config/systemd/user/ghost.service"
        let arguments = ["--user", "--manager", "systemd"]
        #expect(try await GhostProcess.run(["service", "status"] + arguments, environment: environment).status == 1)
        let installed = try await GhostProcess.run(["service", "install"] + arguments, in: home, environment: environment)
        #expect(installed.status == 0)
        #expect(readText(unit)?.contains("WatchdogSec=30") == true)
        let status = try await GhostProcess.run(["service", "status"] + arguments, in: home, environment: environment)
        #expect(status.status == 0)
        #expect(status.stdout == "installed at \(unit)\n")
        let removed = try await GhostProcess.run(["service", "uninstall"] + arguments, environment: environment)
        #expect(removed.status == 0)
        #expect(removed.stdout.contains("systemctl --user disable --now ghost"))
        #expect(!FileManager.default.fileExists(atPath: unit))
        #expect(try await GhostProcess.run(["service", "uninstall"] + arguments, environment: environment).status == 1)
    }
}
