// PanelOutput: the message box that shows the panel's --help, --version or a command-line
// mistake where there is no console (Windows, started from Explorer). The console path is
// the black-box tst_panelbinary's.
#include "panelcommandline.h"
#include "paneloutput.h"

#include <QFontDatabase>
#include <QMessageBox>
#include <QTest>

class tst_PanelOutput : public QObject
{
    Q_OBJECT

private slots:
    void helpInABox();
    void mistakeInABox();
};

void tst_PanelOutput::helpInABox()
{
    const QString help = PanelCommandLine::help(QStringLiteral("socketserver-panel"));
    const auto box = PanelOutput::messageBox(help, PanelOutput::Kind::Information);
    QCOMPARE(box->icon(), QMessageBox::Information);
    QCOMPARE(box->text(), help.trimmed());
    QCOMPARE(box->textFormat(), Qt::PlainText); // "<" and ">" shown as they are
    // The options' descriptions line up in a column only in the system's fixed-width font.
    QCOMPARE(box->font(), QFontDatabase::systemFont(QFontDatabase::FixedFont));
    QCOMPARE(box->standardButtons(), QMessageBox::Ok);
}

void tst_PanelOutput::mistakeInABox()
{
    const QString mistake = QStringLiteral("socketserver-panel: unknown option '--colour'\n"
                                           "Run 'socketserver-panel --help' to see the options.\n");
    const auto box = PanelOutput::messageBox(mistake, PanelOutput::Kind::Mistake);
    QCOMPARE(box->icon(), QMessageBox::Warning);
    QCOMPARE(box->text(), mistake.trimmed());
}

QTEST_MAIN(tst_PanelOutput)
#include "tst_paneloutput.moc"
