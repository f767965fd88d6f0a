#pragma once

// How wide text looks in a terminal. Names in a program may be any UTF-8 (Korean lessons
// name their threads in Hangul), so tables pad by columns, not bytes, and a caret under a
// line lands under the right character. The widths come from utf8proc (Unicode's East Asian
// Width and general categories), not a hand-written table.

#include <string_view>

namespace tl {

// Terminal columns a UTF-8 string occupies: two for wide characters (Hangul syllables and
// compatibility jamo, kana, CJK ideographs, fullwidth forms, most emoji), none for combining
// marks and control characters, one for the rest. A byte that is not part of well-formed
// UTF-8 counts as one column (a terminal shows it as one replacement character), so a bad
// name still lines up instead of breaking the table.
int display_width(std::string_view utf8);

}
