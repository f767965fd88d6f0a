#pragma once

// The lowest of one value per core, kept up to date as threads start and stop on the cores:
// stride's global pass and cfs's min_vruntime need the lowest pass (virtual runtime) among the
// running threads at every enqueue, and walking 64 cores each time was most of their cost. A
// tournament tree over the cores: set() and clear() cost log2(cores), lowest() nothing.

#include "engine/ids.hpp"
#include "engine/per_id.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace tl {

class LowestOnCores {
public:
    void set(CoreId core, std::int64_t value) { put(core, value); }
    void clear(CoreId core) { put(core, none); }

    // The lowest value among the cores that hold one; nothing when none does.
    std::optional<std::int64_t> lowest() const
    {
        if (m_tree.empty() || m_tree[1] == none)
            return std::nullopt;
        return m_tree[1];
    }

private:
    static constexpr std::int64_t none = std::numeric_limits<std::int64_t>::max();

    void put(CoreId core, std::int64_t value)
    {
        auto index = index_of(core);
        if (index >= m_leaves) {
            // Grow to a power of two above the core, keeping what is held.
            std::size_t leaves = std::max<std::size_t>(m_leaves, 1);
            while (leaves <= index)
                leaves *= 2;
            std::vector<std::int64_t> tree(2 * leaves, none);
            for (std::size_t leaf = 0; leaf < m_leaves; ++leaf)
                tree[leaves + leaf] = m_tree[m_leaves + leaf];
            for (std::size_t node = leaves - 1; node >= 1; --node)
                tree[node] = std::min(tree[2 * node], tree[2 * node + 1]);
            m_tree = std::move(tree);
            m_leaves = leaves;
        }
        auto node = m_leaves + index;
        m_tree[node] = value;
        for (node /= 2; node >= 1; node /= 2)
            m_tree[node] = std::min(m_tree[2 * node], m_tree[2 * node + 1]);
    }

    std::size_t m_leaves = 0;
    std::vector<std::int64_t> m_tree; // 1-based; leaves at [m_leaves, 2 * m_leaves)
};

}
