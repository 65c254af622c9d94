// Machine lines (stack frames, log lines) told apart from prose, and the analysis that puts them in the environment slot.
#include "core/machine_text.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "core/analyzer.hpp"

using namespace doppel::core;

TEST_CASE("machine lines: stack frames and log lines, not prose") {
  for (const char* line : {"\tat org.apache.hadoop.hdfs.server.datanode.DataNode.offerService(DataNode.java:123)",
                           "at java.lang.Thread.run(Thread.java:745)", "   at sun.reflect.GeneratedMethodAccessor1.invoke(Unknown Source)",
                           "at org.apache.Outer$Inner.<init>(Outer.java:7) ~[hadoop-common.jar:?]",
                           "Caused by: java.io.IOException: Connection reset by peer", "\t... 12 more",
                           "  File \"/usr/lib/python2.7/socket.py\", line 224, in meth",
                           "2014-07-22 01:49:51,338 INFO org.apache.hadoop.hdfs.server.datanode.DataNode: Exception",
                           "13/05/02 10:11:12 WARN mapred.JobClient: Use GenericOptionsParser",
                           "10:11:12.345 [main] ERROR Foo - failed", "> 2012-01-01 00:00:00,000 FATAL x: y",
                           "2015-01-01 10:00:00 [IPC Server handler 3] DEBUG ipc.Server: call"}) {
    const std::string text = line;
    CAPTURE(text);
    CHECK(is_machine_line(line));
  }
  for (const char* line : {"", "at the moment the NameNode crashes (see below)", "at startup(always)",
                           "The DataNode fails at org.apache.hadoop.hdfs.DataNode.offerService(DataNode.java:123)",
                           "java.lang.NullPointerException", "Caused by a race in the balancer",
                           "2014-07-22 the upgrade failed with an ERROR", "... and 12 more", "... x more",
                           "File a bug against HDFS, line 3", "10:11 is when it started, INFO says nothing"}) {
    const std::string text = line;
    CAPTURE(text);
    CHECK_FALSE(is_machine_line(line));
  }
}

TEST_CASE("split_machine_text keeps each kind of line in order, one a line") {
  const auto s = split_machine_text("The job hangs.\r\njava.io.IOException: boom\n\tat a.B.c(B.java:1)\n"
                                    "\tat a.D.e(D.java:2)\nafter the trace\n2013-01-01 00:00:00,001 WARN x: y");
  CHECK(s.prose == "The job hangs.\r\njava.io.IOException: boom\nafter the trace\n");
  CHECK(s.machine == "\tat a.B.c(B.java:1)\n\tat a.D.e(D.java:2)\n2013-01-01 00:00:00,001 WARN x: y\n");
  const auto empty = split_machine_text("");
  CHECK(empty.prose.empty());
  CHECK(empty.machine.empty());
}

namespace {

field_tf tf_of(const analyzed_document& a, const std::string& term) {
  for (const auto& t : a.terms)
    if (t.term == term) return t.tf;
  return {};
}

}  // namespace

TEST_CASE("analysis: the description's frames and log lines count in the environment slot, its prose in the description") {
  issue_document d;
  d.issue_id = "1";
  d.key = "HDFS-1";
  d.summary = "DataNode dies";
  d.description = "Balancer stops.\n\tat org.apache.hadoop.Balancer.run(Balancer.java:9)\n"
                  "2014-07-22 01:49:51,338 ERROR Balancer: dispatcher stopped";
  d.environment = "Linux";
  tokenizer tok;
  const auto machine = tok.terms("\tat org.apache.hadoop.Balancer.run(Balancer.java:9)\n"
                                 "2014-07-22 01:49:51,338 ERROR Balancer: dispatcher stopped");
  const auto balanc = static_cast<std::uint8_t>(std::count(machine.begin(), machine.end(), "balanc"));
  REQUIRE(balanc >= 2);  // the frame's class and file, the log line's logger
  const auto a = analyze(d, tok);
  CHECK(tf_of(a, "balanc") == field_tf{0, 1, balanc, 0});  // once in the prose, the rest in machine lines
  CHECK(tf_of(a, "org.apache.hadoop.balancer.run") == field_tf{0, 0, 1, 0});
  CHECK(tf_of(a, "dispatch") == field_tf{0, 0, 1, 0});
  CHECK(tf_of(a, "linux") == field_tf{0, 0, 1, 0});
  CHECK(a.lengths[field_description] == 2);  // balanc, stop
  CHECK(a.lengths[field_environment] == 1 + machine.size());

  const auto draft = analyze_draft("DataNode dies", d.description, tok);  // a draft's description is split alike
  CHECK(tf_of(draft, "balanc") == field_tf{0, 1, balanc, 0});
  CHECK(draft.lengths[field_environment] == machine.size());
}
