// `doppel serve`: wire config, database, routes, HTTP server and workers; drain and exit 0 on SIGTERM/SIGINT.
#include "app/commands.hpp"

#include "app/app_context.hpp"
#include "app/authenticator.hpp"
#include "app/config.hpp"
#include "app/key_providers.hpp"
#include "app/routes.hpp"
#include "app/secret_key.hpp"
#include "app/services.hpp"
#include "jobs/processors/processors.hpp"
#include "net/dispatcher.hpp"
#include "net/server.hpp"
#include "service/retention.hpp"
#include "service/settings.hpp"
#include "store/bootstrap.hpp"
#include "store/db_pool.hpp"
#include "store/index_listener.hpp"
#include "store/index_store.hpp"
#include "util/log.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>

#ifdef DOPPEL_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include <fstream>
#include <optional>
#include <iostream>
#include <sstream>
#include <thread>

namespace doppel::app {
namespace {

void notify_systemd([[maybe_unused]] const char* state) {
#ifdef DOPPEL_HAVE_SYSTEMD
  sd_notify(0, state);
#endif
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// The objects behind the use-cases: secret box, host allowlist, auth policy with its providers, index copies.
services make_services(app_context& app) {
  auto hosts = auth::host_allowlist::parse(app.cfg.allowed_hosts);
  if (!hosts) throw std::runtime_error(hosts.error().message);
  services svc{auth::secret_box(app.secret_key), std::move(*hosts), {}};
  svc.auth.base_url = app.cfg.base_url;
  svc.auth.forge_app_id = app.cfg.forge_app_id.value_or("");
  svc.auth.clock = system_clock_fn();
  svc.auth.tenants = make_tenant_lookup(app.db, svc.secrets, svc.tenant_keys);
  svc.auth.install_keys = make_install_key_provider(app.cfg);
  svc.auth.forge_keys = make_forge_key_provider(app.cfg);
  svc.http = std::make_shared<const jira::http_client>();
  svc.index = std::make_unique<store::index_cache>(index_loader(app.db), std::chrono::milliseconds(1000),
                                                   app.cfg.index_memory_mb * 1024 * 1024);
  return svc;
}

// The index copies' budget, size and traffic (store::index_cache::figures) on /metrics.
void add_index_cache_metrics(net::metrics& stats, const store::index_cache& cache) {
  using figures = store::index_cache::figures;
  auto add = [&](bool counter, std::string name, std::string help, auto field) {
    auto read = [&cache, field] { return double(cache.stats().*field); };
    if (counter) stats.add_counter_source(std::move(name), std::move(help), read);
    else stats.add_gauge(std::move(name), std::move(help), read);
  };
  add(false, "doppel_index_memory_budget_bytes", "Budget of the in-memory index copies (DOPPEL_INDEX_MEMORY_MB).",
      &figures::budget_bytes);
  add(false, "doppel_index_memory_resident_bytes", "Measured size of the in-memory index copies held.",
      &figures::resident_bytes);
  add(false, "doppel_index_copies", "Tenants whose index copy is held in memory.", &figures::copies);
  add(true, "doppel_index_cache_hits_total", "Searches served by a loaded, current index copy.", &figures::hits);
  add(true, "doppel_index_cache_loads_total", "Index copies loaded from PostgreSQL (first use, after eviction, stale).",
      &figures::loads);
  add(true, "doppel_index_cache_evictions_total", "Index copies dropped to stay within the memory budget.",
      &figures::evictions);
}

int serve(const config& cfg_in) {
  config cfg = cfg_in;
  auto db = store::open_database(cfg.database_url, cfg.data_dir);
  store::migrate_database(db.conninfo, cfg.migrations_dir, std::chrono::seconds(30));
  store::db_pool pool(db.conninfo, std::size_t(cfg.db_pool_size));
  // Request reads have connections of their own (read-only), so they never wait for ones that writes, webhook
  // acknowledgements or workers hold.
  store::db_pool read_pool(db.conninfo, std::size_t(cfg.db_pool_size), std::chrono::seconds(5),
                           store::pool_access::read_only);
  store::database database(pool, &read_pool);
  net::metrics stats;
  app_context app{cfg, load_or_create_secret_key(cfg), database, stats, {},
                  read_file(cfg.descriptor_dir + "/atlassian-connect.json")};
  services svc = make_services(app);
  service::context ctx{database,          *svc.index,       svc.http,   svc.secrets,
                       svc.allowed_hosts, *svc.tenant_keys, *svc.admins, cfg.app_key,
                       cfg.uninstall_retention};
  store::worker_options worker_opts;
  worker_opts.threads = cfg.worker_threads;
  worker_opts.nice = cfg.worker_nice;
  worker_opts.nice_backends = cfg.worker_nice > 0 && db.embedded != nullptr;
  store::worker_pool workers(pool, worker_opts);
  database.on_job_queued([&workers] { workers.nudge(); });
  jobs::register_processors(workers, ctx);
  // The janitor: processed inbox rows (full issue text) older than DOPPEL_INBOX_RETENTION_HOURS, every 10 minutes.
  workers.add_periodic("inbox retention", std::chrono::minutes(1), std::chrono::minutes(10),
                       [&ctx, retention = cfg.inbox_retention] { service::prune_inbox(ctx, retention); });
  // doppel_tenant: this replica forgets the tenant's secret (auth) and its row and settings (service/tenant_cache).
  store::tenant_change_handlers on_tenant{[&](const std::string& tenant_id) {
                                            svc.tenant_keys->forget(tenant_id);
                                            ctx.tenants->forget(tenant_id);
                                          },
                                          [&](bool listening) {
                                            svc.tenant_keys->clear();
                                            ctx.tenants->resync(listening);
                                          }};
  store::index_listener listener(db.conninfo, *svc.index, std::move(on_tenant));
  handlers::env env{ctx, cfg.static_dir, app.descriptor_template, app.cfg.base_url, cfg.app_key, app.ready, stats};
  net::router routes(make_routes(env));
  net::dispatcher dispatch(routes, make_authenticator(svc.auth), stats, {cfg.base_url.rfind("https://", 0) == 0});

  boost::asio::io_context io(cfg.http_threads);
  boost::asio::thread_pool handler_pool(std::size_t(cfg.db_pool_size));
  // The panel's reads (route_lane::read) on threads of their own, one per read connection.
  boost::asio::thread_pool read_handlers(std::size_t(cfg.db_pool_size));
  std::shared_ptr<boost::asio::ssl::context> tls;
  if (cfg.tls_cert_file) tls = net::make_tls_context(*cfg.tls_cert_file, *cfg.tls_key_file);
  net::server_limits limits;
  limits.read_timeout = cfg.read_timeout;
  limits.write_timeout = cfg.read_timeout;
  net::http_server server(io, handler_pool, dispatch, routes, limits, tls, &read_handlers);
  auto port = server.listen(cfg.bind, cfg.port);
  if (cfg.port == 0 && !getenv("DOPPEL_BASE_URL")) {
    app.cfg.base_url = "http://localhost:" + std::to_string(port);
    svc.auth.base_url = app.cfg.base_url;
  }
  stats.add_gauge("doppel_http_open_connections", "Open client connections.",
                  [&server] { return double(server.open_connections()); });
  stats.add_gauge("doppel_db_pool_idle", "Idle database connections.", [&pool] { return double(pool.idle()); });
  stats.add_gauge("doppel_http_large_bodies", "Requests holding a large-body slot (bodies over 1 MiB).",
                  [&server] { return double(server.large_bodies()); });
  add_index_cache_metrics(stats, *svc.index);
  stats.add_gauge("doppel_db_read_pool_idle", "Idle database connections of the request reads.",
                  [&read_pool] { return double(read_pool.idle()); });

  pool.warm();
  read_pool.warm();
  listener.start();
  workers.start();
  app.ready.store(true);
  log::info("listening", {{"address", cfg.bind},
                          {"port", port},
                          {"tls", bool(tls)},
                          {"base_url", app.cfg.base_url},
                          {"descriptor_url", app.cfg.base_url + "/atlassian-connect.json"}});
  notify_systemd("READY=1");

  // io.run() must not return on its own once the acceptor closes: the drainer decides when we stop.
  auto keep_running = boost::asio::make_work_guard(io);
  std::thread drainer;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    log::info("shutdown requested", {{"signal", sig}});
    notify_systemd("STOPPING=1");
    app.ready.store(false);
    server.stop_accepting();
    // Drain on a helper thread so the network threads keep reading bodies and writing responses.
    drainer = std::thread([&] {
      auto deadline = std::chrono::steady_clock::now() + cfg.drain_timeout;
      while (server.in_flight() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (server.in_flight() > 0) log::warn("drain deadline passed", {{"in_flight", server.in_flight()}});
      auto left = deadline - std::chrono::steady_clock::now();
      workers.stop(std::max(std::chrono::milliseconds(100),
                            std::chrono::duration_cast<std::chrono::milliseconds>(left)));
      listener.stop();
      keep_running.reset();
      io.stop();
    });
  });

  std::vector<std::thread> threads;
  for (int i = 1; i < cfg.http_threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  if (drainer.joinable()) drainer.join();
  handler_pool.join();
  read_handlers.join();
  if (db.embedded) db.embedded->stop();
  log::info("stopped");
  return 0;
}

}  // namespace

store::index_cache::loader_fn index_loader(store::database& db) {
  return [&db](const std::string& tenant_id, std::int64_t& generation) {
    return db.snapshot([&](store::snapshot_tx& tx) {
      auto settings = service::load_settings(tx, tenant_id);
      return store::load_index(tx, tenant_id, settings.model, generation);
    });
  };
}

namespace {

// Shared start of both commands: no positional arguments, a valid configuration, the log level set.
// On failure prints one line and returns the exit code (2).
std::optional<config> command_config(std::string_view command, const std::vector<std::string>& args) {
  if (!args.empty()) {
    std::cerr << "doppel " << command << ": unexpected argument '" << args.front()
              << "' (configure with DOPPEL_* variables)\n";
    return std::nullopt;
  }
  auto cfg = load_config(process_env());
  if (!cfg) {
    std::cerr << "doppel: " << cfg.error().message << "\n";
    return std::nullopt;
  }
  log::set_level(cfg->log_level);
  return *cfg;
}

}  // namespace

int run_serve_command(const std::vector<std::string>& args) {
  auto cfg = command_config("serve", args);
  if (!cfg) return 2;
  try {
    return serve(*cfg);
  } catch (const std::exception& e) {
    log::error("fatal", {{"what", e.what()}});
    std::cerr << "doppel serve: " << e.what() << "\n";
    return 1;
  }
}

int run_migrate_command(const std::vector<std::string>& args) {
  auto cfg = command_config("migrate", args);
  if (!cfg) return 2;
  try {
    auto db = store::open_database(cfg->database_url, cfg->data_dir);
    store::migrate_database(db.conninfo, cfg->migrations_dir, std::chrono::seconds(30));
    if (db.embedded) db.embedded->stop();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "doppel migrate: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace doppel::app
