import CPCRE2

/// `pcre2_substitute` itself: the reference the JIT loop must equal, and the path for extended syntax.
extension CompiledPattern {
    /// The same substitution done by `pcre2_substitute` alone: the reference that the faster loop of
    /// ``substitute(in:replacement:extendedSyntax:outputLimit:budget:)`` is checked against, by the tests and
    /// the fuzz target. Its output buffer is at most `outputLimit` bytes; it has no time budget.
    ///
    /// Not part of the applier API: it is public only as the `PCRE2Reference` SPI, for the fuzz target
    /// (`Fuzz/`, a package of its own), which imports it with `@_spi(PCRE2Reference) import ApplierAPI`.
    /// - Throws: As ``substitute(in:replacement:extendedSyntax:outputLimit:budget:)``.
    @_spi(PCRE2Reference) public func substituteWithPCRE2(
        in subject: [UInt8],
        replacement: [UInt8],
        extendedSyntax: Bool,
        outputLimit: Int = .max
    ) throws(ApplyError) -> Substitution {
        try Self.requireUTF8(subject, what: "the target file")
        try Self.requireUTF8(replacement, what: "the replacement")
        return try MatchContext.withContext { context throws(ApplyError) in
            try substituteWithPCRE2(subject, replacement: replacement, extendedSyntax: extendedSyntax, context: context, outputLimit: outputLimit)
        }
    }

    /// `pcre2_substitute` itself, for extended syntax; the subject is already known to be valid UTF-8.
    func substituteWithPCRE2(
        _ subject: [UInt8],
        replacement: [UInt8],
        extendedSyntax: Bool,
        context: MatchContext,
        outputLimit: Int
    ) throws(ApplyError) -> Substitution {
        let bounded = outputLimit < Int.max - 1
        var options = UInt32(PCRE2_SUBSTITUTE_GLOBAL) | UInt32(PCRE2_SUBSTITUTE_UNSET_EMPTY) | UInt32(PCRE2_NO_UTF_CHECK)
        if extendedSyntax { options |= UInt32(PCRE2_SUBSTITUTE_EXTENDED) }
        // Unbounded, PCRE2 reports the exact size needed when the first buffer is too small. Bounded, it must
        // not: it would go on to "copy" every replacement of the whole result (gigabytes of work) just to count
        // them. It stops at the first overflow instead, and the second try has the whole limit.
        if !bounded { options |= UInt32(PCRE2_SUBSTITUTE_OVERFLOW_LENGTH) }
        context.setLimits(match: Self.matchLimit, offset: MatchContext.unset)
        // Room for moderate growth first, never more than the limit (and the terminating NUL PCRE2 writes).
        let largest = bounded ? outputLimit + 1 : Int.max
        var capacity = min(subject.count + subject.count / 4 + 4096, largest)
        for _ in 0..<2 {
            var length = capacity
            var result: Int32 = 0
            let output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
                result = Self.nonEmpty(subject).withUnsafeBufferPointer { subjectBuffer in
                    Self.nonEmpty(replacement).withUnsafeBufferPointer { replacementBuffer in
                        pcre2_substitute_8(
                            code,
                            subjectBuffer.baseAddress,
                            subject.count,
                            0,
                            options,
                            nil,
                            context.pointer,
                            replacementBuffer.baseAddress,
                            replacement.count,
                            buffer.baseAddress,
                            &length
                        )
                    }
                }
                initialized = result >= 0 ? length : 0
            }
            if result >= 0 { return Substitution(output: output, count: Int(result)) }
            if result == PCRE2_ERROR_NOMEMORY && bounded {
                guard capacity < largest else { throw Self.outputTooLarge(outputLimit) }
                capacity = largest
                continue
            }
            if result == PCRE2_ERROR_NOMEMORY && length > capacity {
                capacity = length
                continue
            }
            throw context.error(result)
        }
        throw ApplyError(.ioError, "substitution output kept growing")
    }
}
