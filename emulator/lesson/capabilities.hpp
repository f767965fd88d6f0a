#pragma once

// What ticklab can show today, by name. A lesson says `@needs coroutines` when it teaches
// something the emulator cannot run yet; the lesson list then marks it "not yet available",
// and the lesson frames that part in a `::: not-yet coroutines` block.
//
// The table is edited by hand, on purpose: when a feature lands, whoever flips its row
// also rewrites the lessons that waited for it. Until then the lesson tests reject a
// `@needs` of something available, so a lesson can never keep saying "not yet" about a
// feature that exists.

#include "lesson/lesson.hpp"

#include <span>
#include <string_view>

namespace tl {

struct Capability {
    std::string_view name;
    bool available;
    std::string_view en; // what it is, for the learner
    std::string_view ko;
};

std::span<Capability const> all_capabilities();
Capability const* find_capability(std::string_view name);
std::string_view describe(Capability const&, Language);

}
