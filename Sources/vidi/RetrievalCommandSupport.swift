import ArgumentParser
import Foundation

/// Error reporting shared by the retrieval commands (eval retrieval, tokenize, encode, index, search).
enum RetrievalCommand {
    /// Runs `body`; an error prints `vidi <command>: reason` on stderr and exits 1 (2 for bad options).
    static func run(_ command: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ValidationError {
            throw error
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("vidi \(command): \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
