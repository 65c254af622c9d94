// Machine text: the stack frames and log lines of a description, told apart from its prose line by line.
#pragma once

#include <string>
#include <string_view>

namespace doppel::core {

// A stack frame line (Java/Scala "at pkg.Class.method(File.java:12)", "Caused by: ...", "... 12 more", Python
// 'File "x.py", line 3, in f') or a log line (a date or time first, then a level word: "2013-02-01 10:00:01,123
// WARN ..."), leading white space and list markers ignored.
bool is_machine_line(std::string_view line);

// text split into its prose lines and its machine lines (is_machine_line), each kept in order, one a line.
struct split_text {
  std::string prose, machine;
};
split_text split_machine_text(std::string_view text);

}  // namespace doppel::core
