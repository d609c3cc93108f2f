import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import GhostCLI

/// Reverting applied patches against the real `ghost serve`: exact bytes and modes back (edited, created and
/// deleted files), `conflict` with nothing written when a file changed since (before queueing and inside the
/// revert's own transaction), refusals that say why, a batch member, and `ghost revert --wait`.
@Suite struct RevertTests {
    static func folder(extra: String = "") throws -> String {
        let folder = try makeTempFolder("revert")
        try writeFile(folder + "/src/App.tsx", "a\n", mode: 0o640)
        try writeFile(folder + "/src/gone.txt", "bye\n", mode: 0o600)
        try write("queues:\n  default:\n    dir: patches\n    workspace: .\n" + extra, to: folder + "/ghost.yml")
        return folder
    }

    /// Edits App.tsx (and its mode), creates new.txt, deletes gone.txt.
    static let block = #"""
        {"blockId": "b1", "mutations": [
          {"path": "src/App.tsx", "op": "write", "contents": "changed\n", "mode": "0755"},
          {"path": "src/new.txt", "op": "write", "contents": "created\n"},
          {"path": "src/gone.txt", "op": "delete"}]}
        """#

    func mode(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_mode & 0o7777) : nil
    }

    func message(_ response: HTTPClient.Response) -> String { json(response)?["result"]?["error"]?["message"]?.stringValue ?? "" }

    @Test func aRevertPutsBackExactBytesAndModesAndCanItselfBeReverted() async throws {
        let folder = try Self.folder()
        let host = try await ServeProcess.start(folder: folder)
        #expect(json(try host.request("POST", "/api/patches?wait=10", body: Self.block))?["result"]?["status"] == "applied")
        #expect(readText(folder + "/src/App.tsx") == "changed\n")
        #expect(mode(folder + "/src/App.tsx") == 0o755)
        #expect(readText(folder + "/src/gone.txt") == nil)

        let queued = try host.request("POST", "/api/patches/b1/revert")
        #expect(queued.status == 202)
        #expect(json(queued)?["result"]?["patch_id"] == "revert-b1")
        let receipt = try await host.awaitStatus("revert-b1", "applied")
        #expect(receipt?["role"] == "restore")
        #expect(readText(folder + "/src/App.tsx") == "a\n")
        #expect(mode(folder + "/src/App.tsx") == 0o640)
        #expect(readText(folder + "/src/new.txt") == nil)
        #expect(readText(folder + "/src/gone.txt") == "bye\n")
        #expect(mode(folder + "/src/gone.txt") == 0o600)
        #expect(files(in: folder + "/patches/.completed").contains { $0.hasPrefix("revert-b1_") && $0.hasSuffix(".receipt.json") })
        // The listing reads the history, which takes a finished patch at the queue's next checkpoint.
        #expect(
            await eventually(10) {
                (try? host.request("GET", "/api/patches?q=revert-b1")).flatMap(json)?["patches"]?.arrayValue?.first?["id"] == "revert-b1"
            }
        )

        let again = try host.request("POST", "/api/patches/b1/revert")
        #expect(again.status == 409)
        #expect(message(again).contains("already reverted"))

        // The revert is a patch like any other: reverting it applies b1's changes again, and b1 can then be
        // reverted once more (the next attempt of revert-b1).
        #expect(try host.request("POST", "/api/patches/revert-b1/revert").status == 202)
        #expect(try await host.awaitStatus("revert-revert-b1", "applied")?["status"] == "applied")
        #expect(readText(folder + "/src/App.tsx") == "changed\n")
        #expect(mode(folder + "/src/App.tsx") == 0o755)
        #expect(readText(folder + "/src/new.txt") == "created\n")
        #expect(readText(folder + "/src/gone.txt") == nil)
        let twice = try host.request("POST", "/api/patches/b1/revert")
        #expect(twice.status == 202)
        #expect(json(twice)?["result"]?["attempt"] == 2)
        #expect(try await host.awaitStatus("revert-b1", "applied", attempt: 2)?["attempt"] == 2)
        #expect(readText(folder + "/src/App.tsx") == "a\n")
        #expect(readText(folder + "/src/gone.txt") == "bye\n")
        #expect(await host.stop() == 0)
    }

    /// A file changed since the patch: `conflict` naming it, nothing written, whether the change comes before
    /// the request or between the request and the revert's apply.
    @Test func aFileChangedSinceIsAConflictAndNothingIsWritten() async throws {
        let folder = try Self.folder()
        let host = try await ServeProcess.start(folder: folder)
        #expect(json(try host.request("POST", "/api/patches?wait=10", body: Self.block))?["result"]?["status"] == "applied")
        try write("edited by hand\n", to: folder + "/src/new.txt")
        let refused = try host.request("POST", "/api/patches/b1/revert")
        #expect(refused.status == 409)
        #expect(message(refused).contains("src/new.txt"))
        #expect(!message(refused).contains("src/App.tsx"))
        #expect(readText(folder + "/src/App.tsx") == "changed\n")
        #expect(readText(folder + "/src/new.txt") == "edited by hand\n")
        #expect(readText(folder + "/src/gone.txt") == nil)

        // Put back, the revert queues; the file changes before it applies: it fails inside its transaction.
        try write("created\n", to: folder + "/src/new.txt")
        #expect(try host.request("POST", "/api/queues/default/pause").status == 200)
        #expect(try host.request("POST", "/api/patches/b1/revert").status == 202)
        try write("late edit\n", to: folder + "/src/App.tsx")
        #expect(try host.request("POST", "/api/queues/default/resume").status == 200)
        let failed = try await host.awaitStatus("revert-b1", "failed")
        #expect(failed?["reason"] == "conflict")
        #expect(failed?["message"]?.stringValue?.contains("src/App.tsx") == true)
        #expect(readText(folder + "/src/App.tsx") == "late edit\n")
        #expect(readText(folder + "/src/new.txt") == "created\n")
        #expect(readText(folder + "/src/gone.txt") == nil)
        #expect(files(in: folder + "/patches/.failed").contains { $0.hasPrefix("revert-b1_") && $0.hasSuffix(".receipt.json") })

        // Put back again, the failed revert runs again as its next attempt (retry works too).
        try write("changed\n", to: folder + "/src/App.tsx")
        #expect(try host.request("POST", "/api/patches/revert-b1/retry").status == 202)
        #expect(try await host.awaitStatus("revert-b1", "applied", attempt: 2)?["attempt"] == 2)
        #expect(readText(folder + "/src/App.tsx") == "a\n")
        #expect(await host.stop() == 0)
    }

    /// Shell steps, a failed patch, an unknown id, a patch past the kept size and one whose before-images are
    /// gone are refused, each saying why; nothing is queued.
    @Test func whatCannotBeUndoneExactlyIsRefused() async throws {
        let folder = try Self.folder(extra: "    shell: true\n    retention: {before_images_per_patch: 64}\n")
        try write(String(repeating: "x", count: 100) + "\n", to: folder + "/big.txt")
        let host = try await ServeProcess.start(folder: folder)
        let stepped = #"{"blockId": "s1", "mutations": [{"path": "src/App.tsx", "contents": "s\n"}], "validate": {"shell": [{"run": "true"}]}}"#
        #expect(json(try host.request("POST", "/api/patches?wait=10", body: stepped))?["result"]?["status"] == "applied")
        let shell = try host.request("POST", "/api/patches/s1/revert")
        #expect(shell.status == 422)
        #expect(message(shell).contains("step"))

        #expect(json(try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "f1", pattern: "zz")))?["result"]?["status"] == "failed")
        let failed = try host.request("POST", "/api/patches/f1/revert")
        #expect(failed.status == 409)
        #expect(message(failed).contains("nothing to revert"))
        #expect(try host.request("POST", "/api/patches/nobody/revert").status == 404)

        let big = regexPatch(id: "big", file: "big.txt", pattern: "x", replacement: "y")
        #expect(json(try host.request("POST", "/api/patches?wait=10", body: big))?["result"]?["status"] == "applied")
        let tooBig = try host.request("POST", "/api/patches/big/revert")
        #expect(tooBig.status == 422)
        #expect(message(tooBig).contains("before_images_per_patch"))

        #expect(json(try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "g1", pattern: "s")))?["result"]?["status"] == "applied")
        for name in files(in: folder + "/patches/.ghost/before") { unlink(folder + "/patches/.ghost/before/" + name) }
        let gone = try host.request("POST", "/api/patches/g1/revert")
        #expect(gone.status == 422)
        #expect(message(gone).contains("gone"))
        #expect(readText(folder + "/src/App.tsx") == "aa\n")
        #expect(json(try host.request("GET", "/api/patches?q=revert"))?["patches"]?.arrayValue?.isEmpty == true)
        #expect(await host.stop() == 0)
    }

    /// `before_images_per_patch: 0` keeps none: nothing is written under `.ghost/before/` for an applied
    /// patch, and its revert is refused saying why.
    @Test func zeroKeepsNoBeforeImagesAtAll() async throws {
        let folder = try Self.folder(extra: "    retention: {before_images_per_patch: 0}\n")
        let host = try await ServeProcess.start(folder: folder)
        #expect(json(try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "z1")))?["result"]?["status"] == "applied")
        #expect(files(in: folder + "/patches/.ghost/before").isEmpty)
        let refused = try host.request("POST", "/api/patches/z1/revert")
        #expect(refused.status == 422)
        #expect(message(refused).contains("were not kept (retention.before_images_per_patch: 0)"))
        #expect(await host.stop() == 0)
    }

    /// Patches applied together in one commit each keep their own before-images: one member is reverted
    /// exactly, and one whose file a later member changed is a conflict.
    @Test func aBatchMemberIsRevertedOnItsOwn() async throws {
        let folder = try Self.folder()
        try write("y\n", to: folder + "/src/y.txt")
        let host = try await ServeProcess.start(folder: folder)
        #expect(try host.request("POST", "/api/queues/default/pause").status == 200)
        #expect(try host.request("POST", "/api/patches", body: regexPatch(id: "m1", pattern: "a", replacement: "b")).status == 202)
        #expect(
            try host.request("POST", "/api/patches", body: regexPatch(id: "m2", file: "src/y.txt", pattern: "y", replacement: "yy")).status == 202
        )
        #expect(try host.request("POST", "/api/patches", body: regexPatch(id: "m3", pattern: "b", replacement: "c")).status == 202)
        #expect(try host.request("POST", "/api/queues/default/resume").status == 200)
        #expect(try await host.awaitStatus("m3", "applied")?["status"] == "applied")
        #expect(readText(folder + "/src/App.tsx") == "c\n")

        let m2 = try host.request("POST", "/api/patches/m2/revert")
        #expect(m2.status == 202, "\(message(m2))")
        #expect(try await host.awaitStatus("revert-m2", "applied")?["status"] == "applied")
        #expect(readText(folder + "/src/y.txt") == "y\n")
        let conflict = try host.request("POST", "/api/patches/m1/revert")
        #expect(conflict.status == 409)
        #expect(message(conflict).contains("src/App.tsx"))
        #expect(try host.request("POST", "/api/patches/m3/revert").status == 202)
        #expect(try await host.awaitStatus("revert-m3", "applied")?["status"] == "applied")
        #expect(readText(folder + "/src/App.tsx") == "b\n")
        #expect(try host.request("POST", "/api/patches/m1/revert").status == 202)
        #expect(try await host.awaitStatus("revert-m1", "applied")?["status"] == "applied")
        #expect(readText(folder + "/src/App.tsx") == "a\n")
        #expect(mode(folder + "/src/App.tsx") == 0o640)
        #expect(await host.stop() == 0)
    }

    @Test func theCommandLineRevertsAndWaits() async throws {
        let folder = try Self.folder()
        let host = try await ServeProcess.start(folder: folder)
        let url = ["--url", "http://127.0.0.1:\(host.port)"]
        #expect(json(try host.request("POST", "/api/patches?wait=10", body: regexPatch(id: "c1")))?["result"]?["status"] == "applied")
        let reverted = try await GhostProcess.run(["revert", "c1", "--wait", "10"] + url, in: folder)
        #expect(reverted.status == 0)
        let receipt = try JSONParser.parse(Array(reverted.stdout.utf8))
        #expect(receipt["id"] == "revert-c1")
        #expect(receipt["status"] == "applied")
        #expect(readText(folder + "/src/App.tsx") == "a\n")
        let again = try await GhostProcess.run(["revert", "c1"] + url, in: folder)
        #expect(again.status == 1)
        #expect(again.stderr.contains("already reverted"))
        #expect(await host.stop() == 0)
    }
}
