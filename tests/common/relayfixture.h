// RelayFixture: a RelayServer on a free loopback port and the peers connected to it, for the
// relay test suites. A test starts one; the suite's cleanup() resets it.
#pragma once

#include "relayserver.h"
#include "testpeer.h"

#include <QTest>

#include <memory>
#include <vector>

class RelayFixture
{
public:
    /// Starts the relay with @p config and connects @p peers peers; true once the relay has
    /// admitted them all (false, with the reason in relay().errorString(), when it cannot listen).
    [[nodiscard]] bool start(const RelayConfig &config, int peers)
    {
        m_relay = std::make_unique<RelayServer>();
        if (!m_relay->start(config))
            return false;
        const int targets = m_relay->clientCount(); // the --udp-target peers, there from the start
        for (int i = 0; i < peers; ++i) {
            m_peers.push_back(std::make_unique<TestPeer>());
            if (!m_peers.back()->connectTo(QHostAddress::LocalHost, m_relay->port())
                || !QTest::qWaitFor(
                    [this, i, targets] { return m_relay->clientCount() == targets + i + 1; }))
                return false;
        }
        return true;
    }

    RelayServer &relay() { return *m_relay; }
    TestPeer &peer(int i) { return *m_peers.at(size_t(i)); }

    void reset()
    {
        m_peers.clear();
        m_relay.reset();
    }

private:
    std::unique_ptr<RelayServer> m_relay;
    std::vector<std::unique_ptr<TestPeer>> m_peers;
};
