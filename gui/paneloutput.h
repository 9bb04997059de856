// PanelOutput: where the panel's --help, --version and command-line mistakes go. On Windows a
// program with a window has no console of its own: the text goes to the console of the command
// prompt that started the panel, or, when it was started from Explorer or a shortcut, into a
// message box. Elsewhere it goes to stdout (stderr for a mistake), as for every program.
#pragma once

#include <QString>

#include <memory>

class QMessageBox;

namespace PanelOutput {

enum class Kind
{
    Information, ///< --help, --version: stdout
    Mistake, ///< a bad option: stderr
};

/// Shows @p text to the person who started the panel (see above); @p argc and @p argv make the
/// application that a message box needs.
void show(const QString &text, Kind kind, int &argc, char **argv);

/// The message box show() opens where there is no console (needs a QApplication).
std::unique_ptr<QMessageBox> messageBox(const QString &text, Kind kind);

} // namespace PanelOutput
