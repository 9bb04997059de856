// Corpus replay without libFuzzer: runs LLVMFuzzerTestOneInput once over every file named on
// the command line or found (not recursively) in a directory named there, in name order.
//
//   fuzz_corpus_replay tests/fuzz/corpus                    # what ctest runs (FrameCodec)
//   fuzz_websocket_replay tests/fuzz/websocket-corpus       # the same for WebSocketCodec
//   fuzz_corpus_replay crash-1234abcd                       # one input, e.g. one libFuzzer saved
//
// Prints "N passed, M failed" and exits non-zero when an input failed, could not be read, or
// there was no input at all. A broken invariant aborts the process: the input being replayed
// is then named on stderr before the process dies.

#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

namespace fs = std::filesystem;

std::string g_program = "fuzz_corpus_replay"; // this executable's name, for the messages
std::string g_current; // the input being replayed, for the abort handler

void reportAbort(int signal)
{
    std::fprintf(stderr, "%s: FAILED (aborted) on %s\n", g_program.c_str(), g_current.c_str());
    std::fflush(stderr);
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

// The files to replay: each argument that is a directory gives its regular files.
std::vector<fs::path> collectInputs(int argc, char **argv, int &failed)
{
    std::vector<fs::path> inputs;
    for (int i = 1; i < argc; ++i) {
        const fs::path arg = argv[i];
        std::error_code error;
        if (fs::is_directory(arg, error)) {
            std::vector<fs::path> files;
            for (const fs::directory_entry &entry : fs::directory_iterator(arg, error)) {
                if (entry.is_regular_file())
                    files.push_back(entry.path());
            }
            std::sort(files.begin(), files.end());
            inputs.insert(inputs.end(), files.begin(), files.end());
        } else if (fs::is_regular_file(arg, error)) {
            inputs.push_back(arg);
        } else {
            std::fprintf(stderr, "%s: no such file or directory: %s\n", g_program.c_str(), argv[i]);
            ++failed;
        }
    }
    return inputs;
}

bool readFile(const fs::path &path, std::vector<uint8_t> &bytes)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return false;
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return !in.bad();
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    g_program = fs::path(argv[0]).filename().string();
    int failed = 0;
    const std::vector<fs::path> inputs = collectInputs(argc, argv, failed);
    if (inputs.empty()) {
        std::fprintf(stderr, "%s: no inputs found\n", g_program.c_str());
        ++failed;
    }

    std::signal(SIGABRT, reportAbort);
    int passed = 0;
    std::vector<uint8_t> bytes;
    for (const fs::path &path : inputs) {
        g_current = path.string();
        if (!readFile(path, bytes)) {
            std::fprintf(stderr, "%s: cannot read %s\n", g_program.c_str(), g_current.c_str());
            ++failed;
        } else if (LLVMFuzzerTestOneInput(bytes.data(), bytes.size()) != 0) {
            std::fprintf(stderr, "%s: FAILED (non-zero result) on %s\n", g_program.c_str(),
                g_current.c_str());
            ++failed;
        } else {
            ++passed;
        }
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
