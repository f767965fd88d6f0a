// The parser's linking, when a process ends: the names its instructions use (shared
// variables, mutexes, threads for spawn and join) resolved to indices, the coroutine calls
// checked (known routine, argument count, ticks parameters given numbers, no recursion), then
// each call expanded into its own copy of the routine's body.

#include "lang/parser_internal.hpp"

namespace tl::parser_detail {

void Parser::resolve_names(OpenProcess& process)
{
    auto const& spec = process.spec;
    std::vector<std::string_view> variables(spec.variables.begin(), spec.variables.end());
    std::vector<std::string_view> mutexes(spec.mutexes.begin(), spec.mutexes.end());
    std::vector<std::string_view> threads;
    for (auto const& thread : spec.threads)
        threads.push_back(thread.name);
    auto index_of = [](std::vector<std::string_view> const& names, std::string_view name) {
        auto found = std::find(names.begin(), names.end(), name);
        return found == names.end() ? -1 : static_cast<std::int32_t>(found - names.begin());
    };
    // `self`: the thread whose own code this is (-1 in an async routine, which any thread may run).
    auto resolve = [&](std::vector<Pending>& code, std::int32_t self) {
        for (auto& pending : code) {
            auto& instruction = pending.instruction;
            auto kind = opcode_info(instruction.opcode).operand;
            auto const& name = instruction.text;
            auto where = pending.target_where;
            auto mnemonic = opcode_info(instruction.opcode).mnemonic;
            if (kind == OperandKind::Variable || kind == OperandKind::Assign) {
                instruction.target = index_of(variables, name);
                if (instruction.target >= 0)
                    continue;
                if (index_of(mutexes, name) >= 0)
                    error_at(where.line, where.column,
                        fmt::format("'{}' is a mutex, not a shared variable; '{}' works on variables declared with "
                                    "'shared NAME'",
                            name, mnemonic));
                else
                    error_at(where.line, where.column,
                        fmt::format("unknown shared variable '{}' in {}{}", name, process_label(),
                            variables.empty() ? fmt::format("; declare it under the process with 'shared {} = 0'", name)
                                              : did_you_mean(suggest_at(where, name, variables))));
            } else if (kind == OperandKind::Mutex) {
                instruction.target = index_of(mutexes, name);
                if (instruction.target >= 0)
                    continue;
                if (index_of(variables, name) >= 0)
                    error_at(where.line, where.column,
                        fmt::format("'{}' is a shared variable, not a mutex; declare a mutex with 'mutex NAME'", name));
                else
                    error_at(where.line, where.column,
                        fmt::format("unknown mutex '{}' in {}{}", name, process_label(),
                            mutexes.empty() ? fmt::format("; declare it under the process with 'mutex {}'", name)
                                            : did_you_mean(suggest_at(where, name, mutexes))));
            } else if (kind == OperandKind::Thread) {
                instruction.target = index_of(threads, name);
                if (instruction.target < 0) {
                    error_at(where.line, where.column,
                        fmt::format("unknown thread '{}' in {}{}", name, process_label(),
                            did_you_mean(suggest_at(where, name, threads))));
                    continue;
                }
                auto const& target = spec.threads[tl::index_of(instruction.target)];
                if (instruction.target == self)
                    error_at(where.line, where.column,
                        instruction.opcode == Opcode::Join
                            ? fmt::format("thread '{}' cannot join itself: it would wait for ever", name)
                            : fmt::format("thread '{}' cannot spawn itself: it is already running", name));
                else if (instruction.opcode == Opcode::Spawn && !target.spawned)
                    error_at(where.line, where.column,
                        fmt::format("thread '{}' starts with its process, so it cannot be spawned; declare it "
                                    "'thread {} spawned' to start it with 'spawn {}'",
                            name, name, name));
            }
        }
    };
    for (std::size_t t = 0; t < process.thread_code.size(); ++t)
        resolve(process.thread_code[t], static_cast<std::int32_t>(t));
    for (auto& coroutine : process.coroutines)
        resolve(coroutine.body, -1);
}

namespace {

struct Value {
    bool is_text = false;
    std::string text;
    std::int64_t number = 0;
    std::string display() const { return is_text ? text : fmt::format("{}", number); }
};

// A call's arguments, by the callee's parameter.
using Arguments = PerId<ParamId, Value>;

std::string call_label(std::string const& name, Arguments const& args)
{
    std::string label = name + "(";
    for (std::size_t i = 0; i < args.size(); ++i)
        label += (i == 0 ? "" : ", ") + args[i].display();
    return label + ")";
}

Arguments argument_values(RawCall const& call, Arguments const& caller)
{
    Arguments values;
    for (auto const& arg : call.args) {
        switch (arg.kind) {
        case RawArg::Kind::Number: values.push_back(Value { false, {}, arg.number }); break;
        case RawArg::Kind::Text: values.push_back(Value { true, arg.text, 0 }); break;
        case RawArg::Kind::Param: values.push_back(caller[arg.param]); break;
        }
    }
    return values;
}

// The instruction with its parameters filled in (calls get their labels; entries come later).
Instruction instantiate(Pending const& pending, Arguments const& args)
{
    Instruction result = pending.instruction;
    if (pending.ticks_param >= 0)
        result.ticks = args[pending.ticks_param].number;
    if (result.opcode == Opcode::Print) {
        result.text.clear();
        for (auto const& piece : pending.pieces) {
            switch (piece.kind) {
            case Piece::Kind::Literal: result.text += piece.text; break;
            case Piece::Kind::Param: result.text += args[piece.param].display(); break;
            case Piece::Kind::Tick: result.tick_at.push_back(static_cast<std::uint32_t>(result.text.size())); break;
            }
        }
    }
    for (auto const& call : pending.calls)
        result.calls.push_back(CallTarget { call_label(call.name, argument_values(call, args)), -1 });
    return result;
}

}

void Parser::link(OpenProcess& process)
{
    auto& coroutines = process.coroutines;
    std::unordered_map<std::string, RoutineId> by_name;
    for (RoutineId routine : coroutines.ids())
        by_name.emplace(coroutines[routine].name, routine);
    std::vector<std::string_view> names;
    for (auto const& coroutine : coroutines)
        names.push_back(coroutine.name);

    // Every call names a routine of this process, with as many arguments as it has parameters.
    auto resolve = [&](std::vector<Pending>& code) {
        for (auto& pending : code)
            for (auto& call : pending.calls) {
                auto found = by_name.find(call.name);
                if (found == by_name.end()) {
                    if (!process.broken_async)
                        error_at(call.where.line, call.where.column,
                            fmt::format("unknown async routine '{}' in {}{}", call.name, process_label(),
                                did_you_mean(suggest_at(call.where, call.name, names))));
                    continue;
                }
                auto const& callee = coroutines[found->second];
                if (call.args.size() != callee.params.size()) {
                    error_at(call.where.line, call.where.column,
                        fmt::format("'{}' takes {} argument{}{}, but {} {} given", callee.name, callee.params.size(),
                            callee.params.size() == 1 ? "" : "s",
                            callee.params.empty() ? "" : fmt::format(" ({})", param_list(callee.params)),
                            call.args.size(), call.args.size() == 1 ? "was" : "were"));
                    continue;
                }
                call.callee = found->second;
            }
    };
    for (auto& coroutine : coroutines)
        resolve(coroutine.body);
    for (auto& code : process.thread_code)
        resolve(code);

    // A parameter used as a number of ticks, directly or by passing it on, takes numbers only.
    PerId<RoutineId, PerId<ParamId, SourceLocation>> ticks_use(coroutines.count());
    for (RoutineId c : coroutines.ids()) {
        ticks_use[c].assign(static_cast<ParamId>(coroutines[c].params.size()), SourceLocation {});
        for (auto const& pending : coroutines[c].body)
            if (pending.ticks_param >= 0 && ticks_use[c][pending.ticks_param].line == 0)
                ticks_use[c][pending.ticks_param] = pending.instruction.where;
    }
    for (bool changed = true; changed;) {
        changed = false;
        for (RoutineId c : coroutines.ids())
            for (auto const& pending : coroutines[c].body)
                for (auto const& call : pending.calls) {
                    if (call.callee < 0)
                        continue;
                    for (std::size_t a = 0; a < call.args.size(); ++a) {
                        auto const& arg = call.args[a];
                        auto const& use = ticks_use[call.callee][a];
                        if (arg.kind == RawArg::Kind::Param && use.line != 0 && ticks_use[c][arg.param].line == 0) {
                            ticks_use[c][arg.param] = use;
                            changed = true;
                        }
                    }
                }
    }
    auto check_texts = [&](std::vector<Pending> const& code) {
        for (auto const& pending : code)
            for (auto const& call : pending.calls) {
                if (call.callee < 0)
                    continue;
                auto const& callee = coroutines[call.callee];
                for (std::size_t a = 0; a < call.args.size(); ++a) {
                    auto const& use = ticks_use[call.callee][a];
                    if (call.args[a].kind == RawArg::Kind::Text && use.line != 0)
                        error_at(call.args[a].where.line, call.args[a].where.column,
                            fmt::format("'{}' of '{}' is a number of ticks (line {} waits or computes for it), but "
                                        "this argument is a text",
                                callee.params[a], callee.name, use.line));
                }
            }
    };
    for (auto const& coroutine : coroutines)
        check_texts(coroutine.body);
    for (auto const& code : process.thread_code)
        check_texts(code);

    // No recursion: a routine may not reach itself through its calls.
    auto calls_of = [&](RoutineId c) {
        std::vector<RoutineId> out;
        for (auto const& pending : coroutines[c].body)
            for (auto const& call : pending.calls)
                if (call.callee >= 0)
                    out.push_back(call.callee);
        return out;
    };
    for (RoutineId c : coroutines.ids()) {
        for (auto const& pending : coroutines[c].body) {
            for (auto const& call : pending.calls) {
                if (call.callee < 0)
                    continue;
                // Does the callee reach c?
                PerId<RoutineId, char> seen(coroutines.count(), 0);
                std::vector<RoutineId> stack { call.callee };
                bool reaches = false;
                while (!stack.empty() && !reaches) {
                    RoutineId at = stack.back();
                    stack.pop_back();
                    if (at == c) {
                        reaches = true;
                        break;
                    }
                    if (seen[at])
                        continue;
                    seen[at] = 1;
                    for (RoutineId next : calls_of(at))
                        stack.push_back(next);
                }
                if (reaches)
                    error_at(call.where.line, call.where.column,
                        call.callee == c
                            ? fmt::format("'{}' calls itself; async routines cannot be recursive", call.name)
                            : fmt::format("'{}' calls '{}', which leads back to '{}'; async routines cannot be "
                                          "recursive",
                                coroutines[c].name, call.name, coroutines[c].name));
            }
        }
    }
    // A program with errors is never run: nothing to expand (and a broken header may have
    // left calls unresolved).
    if (!m_result.errors.empty() || process.poisoned)
        return;

    // Expansion: each call gets its own copy of the routine's body, arguments filled in.
    for (std::size_t t = 0; t < process.spec.threads.size(); ++t) {
        auto& thread = process.spec.threads[t];
        auto const& own = process.thread_code[t];
        auto& code = thread.code.edit();
        code.clear();
        code.reserve(own.size() + 1); // exact when it makes no calls (the end of its code is one more)
        bool calls = false;
        for (auto const& pending : own) {
            code.push_back(instantiate(pending, {}));
            calls = calls || !pending.calls.empty();
        }
        if (calls) {
            // The thread ends here; the coroutine bodies follow.
            Instruction end;
            end.opcode = Opcode::Return;
            end.where = thread.where;
            code.push_back(std::move(end));
        }
        bool too_big = false;
        // Body of call `call` of instruction at `at`, appended; then its own calls, depth first.
        auto expand = [&](auto& self, std::size_t at, std::size_t k, RawCall const& call, Arguments const& caller)
            -> void {
            if (too_big)
                return;
            auto const& coroutine = coroutines[call.callee];
            auto args = argument_values(call, caller);
            if (code.size() + coroutine.body.size() + 1 > max_expanded_code) {
                too_big = true;
                return;
            }
            auto entry = code.size();
            code[at].calls[k].entry = static_cast<std::int32_t>(entry);
            for (auto const& pending : coroutine.body)
                code.push_back(instantiate(pending, args));
            Instruction end;
            end.opcode = Opcode::Return;
            end.where = coroutine.where;
            code.push_back(std::move(end));
            for (std::size_t i = 0; i < coroutine.body.size(); ++i)
                for (std::size_t j = 0; j < coroutine.body[i].calls.size(); ++j)
                    self(self, entry + i, j, coroutine.body[i].calls[j], args);
        };
        for (std::size_t i = 0; i < own.size() && !too_big; ++i)
            for (std::size_t k = 0; k < own[i].calls.size(); ++k)
                expand(expand, i, k, own[i].calls[k], {});
        if (too_big) {
            for (auto const& pending : own)
                if (!pending.calls.empty()) {
                    error_at(pending.instruction.where.line, pending.instruction.where.column,
                        fmt::format("the coroutine calls of thread '{}' expand to more than {} instructions; ticklab "
                                    "runs smaller programs",
                            thread.name, max_expanded_code));
                    break;
                }
            return;
        }
    }
}

}
