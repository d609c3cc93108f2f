import ApplierAPI
import Foundation
import Testing
import Transport

@testable import Host

/// Pages over several queues' histories: merged newest first, and the cursor resumes each queue where it
/// stopped, so following it shows every patch once.
@Suite struct PatchListingTests {
    func listed(_ id: String, row: Int64, finished: Double) -> HistoryIndex.Listed {
        HistoryIndex.Listed(
            row: row,
            entry: HistoryEntry(
                id: id,
                attempt: 1,
                kind: .patch,
                contentHash: "h",
                status: .applied,
                reason: nil,
                role: "ui_patch",
                source: .http,
                receivedAt: Date(timeIntervalSince1970: finished - 1),
                finishedAt: Date(timeIntervalSince1970: finished),
                files: [],
                receipt: nil,
                sequence: nil
            )
        )
    }

    /// Two queues' histories, rows newest first: a at times 10, 8, 6; b at 9, 7.
    var histories: [String: [HistoryIndex.Listed]] {
        [
            "a": [listed("a3", row: 3, finished: 10), listed("a2", row: 2, finished: 8), listed("a1", row: 1, finished: 6)],
            "b": [listed("b2", row: 2, finished: 9), listed("b1", row: 1, finished: 7)],
        ]
    }

    /// One page as the host builds it, from the histories above.
    func page(_ query: PatchQuery) throws -> JSONValue {
        var listing = try PatchListing(query, queues: ["a", "b"])
        for queue in ["a", "b"] {
            guard let filter = listing.filter(for: queue) else { continue }
            let rows = histories[queue]!.filter { listed in filter.beforeRow.map { listed.row < $0 } ?? true }
            listing.add(Array(rows.prefix(filter.limit)), from: queue)
        }
        return listing.page()
    }

    @Test func followingTheCursorShowsEveryPatchOnceNewestFirst() throws {
        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let result = try page(PatchQuery(cursor: cursor, limit: 2))
            seen += result["patches"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            cursor = result["next_cursor"]?.stringValue
            pages += 1
        } while cursor != nil && pages < 10
        #expect(seen == ["a3", "b2", "a2", "b1", "a1"])
        #expect(pages == 3)
    }

    /// A last page that is exactly full is followed by one empty page with no cursor, never by empty pages
    /// forever.
    @Test func anExactlyFullLastPageEndsTheListing() throws {
        var cursors: [String?] = []
        var cursor: String?
        repeat {
            var listing = try PatchListing(PatchQuery(cursor: cursor, limit: 3), queues: ["a"])
            if let filter = listing.filter(for: "a") {
                listing.add(histories["a"]!.filter { listed in filter.beforeRow.map { listed.row < $0 } ?? true }, from: "a")
            }
            cursor = listing.page()["next_cursor"]?.stringValue
            cursors.append(cursor)
        } while cursor != nil && cursors.count < 5
        #expect(cursors == ["v1,a:1", nil])
    }

    @Test func theFirstPageStartsWithUnfinishedPatchesAndLaterPagesDoNot() throws {
        var listing = try PatchListing(PatchQuery(limit: 1), queues: ["a"])
        #expect(listing.includesUnfinished)
        listing.add(unfinished: [["id": "q1", "status": "queued"]], from: "a")
        listing.add(histories["a"]!, from: "a")
        let first = listing.page()
        #expect(first["patches"]?.arrayValue?.map { $0["id"] } == ["q1"])
        // The unfinished filled the page: the history starts on the next one, never from the first page again.
        let next = try #require(first["next_cursor"]?.stringValue)
        let second = try PatchListing(PatchQuery(cursor: next, limit: 1), queues: ["a"])
        #expect(!second.includesUnfinished)
        #expect(second.filter(for: "a")?.beforeRow == nil)
    }

    @Test func badStatusesAndCursorsAreRefused() {
        #expect(throws: ApplyError.self) { try PatchListing(PatchQuery(status: "done"), queues: ["a"]) }
        #expect(throws: ApplyError.self) { try PatchListing(PatchQuery(cursor: "a:x"), queues: ["a"]) }
        #expect(throws: ApplyError.self) { try PatchListing(PatchQuery(cursor: "a:-4"), queues: ["a"]) }
    }
}
