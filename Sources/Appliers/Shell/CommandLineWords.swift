package import ApplierAPI

/// A command line split into words as a POSIX shell splits a simple command, without running a shell.
///
/// Under an allow list a command runs as these words (no `/bin/sh`), so nothing in the line may mean
/// more than words to a shell. The rules:
/// - Spaces and tabs outside quotes separate words.
/// - `'...'`: everything inside is literal.
/// - `"..."`: literal, except that `\` before `"`, `\` or `` ` `` or `$` stands for that character;
///   an unescaped `$` or `` ` `` inside double quotes is refused (a shell would expand it: use single quotes).
/// - `\` outside quotes makes the next character literal.
/// - Refused outside quotes: the operators and expansions `;` `&` `|` `<` `>` `(` `)` `$` `` ` ``, the
///   globbing and expansion characters `*` `?` `[` `]` `{` `}` `~`, `#` (a comment) and `!` (negation),
///   and a `=` in the first word (a shell would read `NAME=value cmd` as setting a variable).
/// - Refused anywhere: a newline or carriage return (a second command) and NUL; an unterminated quote
///   or a trailing `\`.
///
/// Every refusal is ``Reason/shellNotAllowed``, naming the character and its position.
package struct CommandLineWords: Sendable, Hashable {
    /// The words, quotes and escapes removed: `argv` as the program receives it.
    package var words: [String]

    /// The characters refused outside quotes.
    package static let refusedUnquoted: Set<Unicode.Scalar> = [
        ";", "&", "|", "<", ">", "(", ")", "$", "`", "*", "?", "[", "]", "{", "}", "~", "#", "!",
    ]

    /// Splits `line`.
    /// - Throws: ``Reason/shellNotAllowed`` for anything a shell would read as more than words;
    ///   ``Reason/invalidPatch`` for a line with no word.
    package init(_ line: String) throws(ApplyError) {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        // A word has started even when it is empty so far (`''` is an empty argument).
        var inWord = false
        var quote: Unicode.Scalar?
        var escaped = false
        var position = 0

        func refuse(_ character: Unicode.Scalar, _ why: String) -> ApplyError {
            let shown = character == "\n" ? "a newline" : character == "\r" ? "a carriage return" : character == "\0" ? "NUL" : "'\(character)'"
            return ApplyError(
                .shellNotAllowed,
                "command has \(shown) at character \(position) (\(why)); under an allow list a command is plain words: \(line)"
            )
        }

        // Scalar by scalar, as a shell reads bytes: "\r\n" is two characters here, not one.
        for character in line.unicodeScalars {
            position += 1
            if character == "\n" || character == "\r" || character == "\0" {
                throw refuse(character, "one command per step")
            }
            if escaped {
                escaped = false
                if quote == "\"" && !["\"", "\\", "`", "$"].contains(character) { current.append("\\") }
                current.append(character)
                continue
            }
            switch quote {
            case "'":
                if character == "'" { quote = nil } else { current.append(character) }
                continue
            case "\"":
                switch character {
                case "\"": quote = nil
                case "\\": escaped = true
                case "$", "`": throw refuse(character, "a shell would expand it even in double quotes; use single quotes")
                default: current.append(character)
                }
                continue
            default:
                break
            }
            switch character {
            case " ", "\t":
                if inWord { words.append(String(current)) }
                current = String.UnicodeScalarView()
                inWord = false
            case "'", "\"":
                quote = character
                inWord = true
            case "\\":
                escaped = true
                inWord = true
            case "=" where words.isEmpty:
                throw refuse(character, "a shell would read the first word as setting a variable")
            default:
                if Self.refusedUnquoted.contains(character) { throw refuse(character, "a shell operator, expansion or pattern") }
                current.append(character)
                inWord = true
            }
        }
        if escaped {
            throw ApplyError(.shellNotAllowed, "command ends with a lone '\\': \(line)")
        }
        if let quote {
            throw ApplyError(.shellNotAllowed, "command has an unterminated \(quote) quote: \(line)")
        }
        if inWord { words.append(String(current)) }
        guard !words.isEmpty else { throw ApplyError(.invalidPatch, "shell command is empty") }
        self.words = words
    }

    /// `words` as one command line that splits back into the same words: each word as it is when it
    /// needs no quoting, else in single quotes. An `argv` step is matched against the allow list in this form.
    package static func quoted(_ words: [String]) -> String {
        words.enumerated().map { index, word in
            let plain =
                !word.isEmpty
                && word.unicodeScalars.allSatisfy { scalar in
                    ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                        || "@%+:,./_-".unicodeScalars.contains(scalar) || (scalar == "=" && index > 0)
                }
            guard !plain else { return word }
            return "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
        }
        .joined(separator: " ")
    }
}
