import Foundation

/// `syncfs(2)`: Glibc declares it only under `_GNU_SOURCE`, which Swift's Glibc module does not set, so it is
/// looked up once at run time. `nil` where the C library has no such function.
enum FileSystemSync {
    typealias Function = @convention(c) (Int32) -> Int32

    static let syncfs: Function? = {
        guard let program = dlopen(nil, RTLD_NOW), let symbol = dlsym(program, "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }()
}
