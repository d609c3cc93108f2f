import Foundation

// Usage: nsregex-baseline FILE PATTERN TEMPLATE: replaces every match with NSRegularExpression and writes
// the file back atomically (Foundation's temp-and-rename).
let arguments = CommandLine.arguments
guard arguments.count == 4 else {
    FileHandle.standardError.write(Data("usage: nsregex-baseline FILE PATTERN TEMPLATE\n".utf8))
    exit(2)
}
let url = URL(fileURLWithPath: arguments[1])
let text = try String(contentsOf: url, encoding: .utf8)
let regex = try NSRegularExpression(pattern: arguments[2])
let range = NSRange(text.startIndex..., in: text)
let replaced = regex.stringByReplacingMatches(in: text, range: range, withTemplate: arguments[3])
try Data(replaced.utf8).write(to: url, options: .atomic)
