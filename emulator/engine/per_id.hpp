#pragma once

// PerId<Id, T>: one T per id (engine/ids.hpp), held in a std::vector and indexed by the id
// itself, so the code reads `m_threads[id]` rather than casting every id to an index. The Id
// names what the container is indexed by (PerId<ThreadId, ThreadTotals>: per thread).
//
// The ids are plain aliases of std::int32_t, not distinct types: the tag documents the index,
// it does not yet stop a ProcessId from indexing a PerId<ThreadId, T>.
//
// In builds with invariants (every build but release ones, TICKLAB_INVARIANTS) an index out of
// range is a VERIFY failure, a ticklab bug; in release builds operator[] is a plain vector index.
//
// index_of() is the same check for the few signed indices into containers that are not a
// PerId: a pc into a thread's code, a variable or a mutex into a process's lists.

#include "engine/verify.hpp"

#include <concepts>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <type_traits>
#include <utility>
#include <vector>

namespace tl {

template <std::integral Index>
std::size_t index_of(Index index)
{
#ifdef TICKLAB_INVARIANTS
    if constexpr (std::is_signed_v<Index>)
        VERIFY(index >= 0);
#endif
    return static_cast<std::size_t>(index);
}

// The ids first .. last-1, in order: what PerId::ids() returns. Written out rather than
// std::views::iota, which clang 14 cannot compile against GCC 12's <ranges> (the fuzz build)
// and emscripten's libc++ does not have (the web build).
template <std::integral Id>
class IdRange {
public:
    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = Id;
        using difference_type = std::ptrdiff_t;
        using pointer = Id const*;
        using reference = Id;

        iterator() = default;
        explicit iterator(Id id) : m_id(id) { }
        Id operator*() const { return m_id; }
        iterator& operator++()
        {
            ++m_id;
            return *this;
        }
        iterator operator++(int)
        {
            auto was = *this;
            ++m_id;
            return was;
        }
        bool operator==(iterator const&) const = default;

    private:
        Id m_id = 0;
    };

    IdRange(Id first, Id last) : m_first(first), m_last(last < first ? first : last) { }
    iterator begin() const { return iterator(m_first); }
    iterator end() const { return iterator(m_last); }

private:
    Id m_first;
    Id m_last;
};

template <std::integral Id, typename T>
class PerId {
public:
    using value_type = T;
    using reference = typename std::vector<T>::reference;
    using const_reference = typename std::vector<T>::const_reference;
    using iterator = typename std::vector<T>::iterator;
    using const_iterator = typename std::vector<T>::const_iterator;
    using size_type = std::size_t;

    PerId() = default;
    // count values, one per id 0 .. count-1.
    explicit PerId(Id count) : m_values(index_of(count)) { }
    PerId(Id count, T const& value) : m_values(index_of(count), value) { }
    PerId(std::initializer_list<T> values) : m_values(values) { }
    PerId(std::vector<T> values) : m_values(std::move(values)) { }

    reference operator[](Id id)
    {
        check(id);
        return m_values[slot(id)];
    }
    const_reference operator[](Id id) const
    {
        check(id);
        return m_values[slot(id)];
    }
    bool contains(Id id) const { return id >= 0 && slot(id) < m_values.size(); }
    // The value of `id`, first making room for it: a table that grows as ids turn up (`fill`
    // for the ids it adds).
    reference grow_to(Id id, T const& fill = T())
    {
        if (!contains(id))
            m_values.resize(index_of(id) + 1, fill);
        return m_values[slot(id)];
    }

    // How many ids it holds (the next id); size() is the same count as a std::size_t.
    Id count() const { return static_cast<Id>(m_values.size()); }
    std::size_t size() const { return m_values.size(); }
    bool empty() const { return m_values.empty(); }
    // Its ids, 0 .. count()-1, in order.
    IdRange<Id> ids() const { return IdRange<Id>(Id(0), count()); }

    iterator begin() { return m_values.begin(); }
    iterator end() { return m_values.end(); }
    const_iterator begin() const { return m_values.begin(); }
    const_iterator end() const { return m_values.end(); }
    reference front() { return m_values.front(); }
    const_reference front() const { return m_values.front(); }
    reference back() { return m_values.back(); }
    const_reference back() const { return m_values.back(); }

    void push_back(T const& value) { m_values.push_back(value); }
    void push_back(T&& value) { m_values.push_back(std::move(value)); }
    template <typename... Args>
    reference emplace_back(Args&&... args)
    {
        return m_values.emplace_back(std::forward<Args>(args)...);
    }
    void resize(Id count) { m_values.resize(index_of(count)); }
    void resize(Id count, T const& value) { m_values.resize(index_of(count), value); }
    void assign(Id count, T const& value) { m_values.assign(index_of(count), value); }
    void reserve(Id count) { m_values.reserve(index_of(count)); }
    void clear() { m_values.clear(); }

    // The values in id order, for code that wants the vector itself.
    std::vector<T> const& values() const { return m_values; }

    bool operator==(PerId const&) const = default;
    bool operator==(std::vector<T> const& values) const { return m_values == values; }

private:
    // The vector's index of an id; unchecked (operator[] checks), a plain conversion.
    static std::size_t slot(Id id) { return static_cast<std::size_t>(id); }
    void check([[maybe_unused]] Id id) const
    {
#ifdef TICKLAB_INVARIANTS
        VERIFY(contains(id));
#endif
    }

    std::vector<T> m_values;
};

}
