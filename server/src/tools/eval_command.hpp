// `doppel eval`: creation-time replay of a dataset through the document/index/search code.
#pragma once

#include <string>
#include <vector>

#include "core/issue_document.hpp"
#include "util/result.hpp"

namespace doppel::tools {

// `doppel eval --dataset FILE [--top N] [--options JSON|@FILE] [--draft | --end-view] [--features] [--stats]`
// (args exclude "eval").
// --draft queries each issue as the create dialog's first draft: its summary alone, through core::draft_query
// (dated at its creation), as POST /api/similar does; the candidates are still the issues indexed before it.
// --end-view indexes the whole dataset first and then searches every issue over all of it (later issues included),
// as the panel sees each issue once the stream is applied (bench/end_view.py scores it).
// Prints one {"key":…,"candidates":[…],"likelihood":[…],"tier":[…]} line per issue that has candidates
// (core/likelihood.hpp, at core::default_likely_threshold); --features adds each candidate's feature vector
// ("features", in core::likelihood_feature_names order: bench/fit_likelihood.py reads it); --stats adds a
// timing line on stderr. Bad arguments: one line on stderr, returns 2.
int run_eval_command(const std::vector<std::string>& args);

// Reads a JSON Lines file of Jira issues (gzip allowed) and returns the parsed documents sorted
// by (created, key); lines that fail to parse are counted in skipped.
result<std::vector<core::issue_document>> load_dataset(const std::string& path, std::size_t& skipped);

// Reads an option value that is either inline text or "@path" (a file's contents).
result<std::string> inline_or_file(const std::string& value);

}  // namespace doppel::tools
