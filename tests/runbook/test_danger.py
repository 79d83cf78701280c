"""Danger classification of real commands: the seeds' and the ones operators type."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tui.runbook.danger import classify
from tui.runbook.parser import read_runbook

R, C, D = "read", "change", "dangerous"

# (command, level, interactive, streaming)
TABLE: list[tuple[str, str, bool, bool]] = [
    # kubectl reads
    ("kubectl get pods -n wilkenweb-prod", R, False, False),
    ("kubectl get pods --all-namespaces | grep -i 'error\\|failed'", R, False, False),
    ("kubectl -n prod --context=a describe pod <pod>", R, False, False),
    ("kubectl logs <pod-name> --previous", R, False, False),
    ("kubectl logs -f deployment/marketing -n akaind-platform --tail=100", R, False, True),
    ("kubectl get pods -w", R, False, True),
    ("kubectl top pods | sort -k3 -rn", R, False, False),
    ("kubectl get events --sort-by='.lastTimestamp' | tail -20", R, False, False),
    ("kubectl rollout status deployment/app -n production", R, False, False),
    ("kubectl rollout history deployment/marketing", R, False, False),
    ("kubectl port-forward svc/postgres 5432:5432", R, False, True),
    ("kubectl auth can-i delete pods", R, False, False),
    ("kubectl config get-contexts", R, False, False),
    ("/usr/bin/kubectl version", R, False, False),
    # kubectl changes
    ("kubectl create secret generic s --from-literal=A=b", C, False, False),
    ("kubectl label pod x tier=web", C, False, False),
    ("kubectl config use-context prod", C, False, False),
    ("kubectl run -it --rm debug --image=busybox --restart=Never -- nslookup svc", C, True, False),
    ("kubectl exec -it <pod> -- bash", C, True, False),
    ("kubectl exec -it deploy/postgres -n x -- psql -U a", C, True, False),
    ("kubectl exec <pod> -- cat /etc/hosts", R, False, False),
    ("kubectl exec -it <backend-pod> -- curl http://database:5432", R, True, False),
    # kubectl dangerous
    ("kubectl delete pod <pod-name> --grace-period=0 --force", D, False, False),
    ("kubectl delete networkpolicy --all", D, False, False),
    ("kubectl drain <node-name> --ignore-daemonsets", D, False, False),
    ("kubectl cordon node-1", D, False, False),
    ("kubectl uncordon <node-name>", D, False, False),
    ("kubectl taint nodes n1 key=v:NoSchedule", D, False, False),
    ("kubectl replace --force -f pod.yaml", D, False, False),
    ("kubectl apply -k infrastructure/k8s/overlays/production", D, False, False),
    ("kubectl patch deploy app -p '{\"spec\":{}}'", D, False, False),
    ("kubectl edit deployment dhakacart-backend", D, True, False),
    ("kubectl scale deployment/app -n production --replicas=3", D, False, False),
    ("kubectl rollout restart deployment app -n wilkenweb-prod", D, False, False),
    ("kubectl rollout undo deployment/marketing", D, False, False),
    ("kubectl rollout pause deployment/app", D, False, False),
    ("kubectl set image deployment/app app=app:v2", D, False, False),
    ("kubectl set env deployment/m PAYMENT_PROVIDER=backup", D, False, False),
    ("kubectl annotate --overwrite pod x a=b", D, False, False),
    ("kubectl label pods x env=prod --overwrite", D, False, False),
    (
        "kubectl exec -it deploy/postgres -- psql -U a -c 'SELECT pg_terminate_backend(1)'",
        D,
        True,
        False,
    ),
    ("kubectl get pods -o name | xargs kubectl delete", D, False, False),
    ("sudo kubectl delete ns prod", D, False, False),
    ("oc delete project x", D, False, False),
    # docker and compose
    ("docker ps", R, False, False),
    ("docker logs codex-web --tail 200 | grep -i error", R, False, False),
    ("docker logs -f web", R, False, True),
    ("docker stats", R, False, True),
    ("docker stats --no-stream", R, False, False),
    ("docker exec -it codex-nginx nginx -t", R, True, False),
    ("docker exec -it codex-redis redis-cli FLUSHALL", D, True, False),
    ("docker exec -it web sh", C, True, False),
    ("docker run --rm -it alpine sh", C, True, False),
    ("docker rm -f web", D, False, False),
    ("docker rmi app:v1", D, False, False),
    ("docker kill web", D, False, False),
    ("docker stop web", D, False, False),
    ("docker restart web", D, False, False),
    ("docker system prune -a -f", D, False, False),
    ("docker volume rm data", D, False, False),
    ("docker container rm web", D, False, False),
    ("docker image ls", R, False, False),
    ("docker compose down", D, False, False),
    ("docker compose restart web", D, False, False),
    ("docker compose rm -f", D, False, False),
    ("docker compose logs -f api", R, False, True),
    ("docker-compose ps", R, False, False),
    ("docker-compose restart web api nginx", D, False, False),
    ("docker-compose up -d", C, False, False),
    ("podman rm -f x", D, False, False),
    # databases
    ("redis-cli ping", R, False, False),
    ("redis-cli -h cache -p 6379 INFO memory", R, False, False),
    ("redis-cli FLUSHALL", D, False, False),
    ("redis-cli -n 2 flushdb", D, False, False),
    ("redis-cli CONFIG SET maxmemory 2gb", D, False, False),
    ("redis-cli CONFIG GET maxmemory", R, False, False),
    ("redis-cli SHUTDOWN NOSAVE", D, False, False),
    ("redis-cli", C, True, False),
    ("psql -U app -c 'SELECT count(*) FROM pg_stat_activity;'", R, False, False),
    ("psql -c 'DROP TABLE users'", D, False, False),
    ("psql -c 'TRUNCATE sessions'", D, False, False),
    ('psql -c "DELETE FROM jobs WHERE done"', D, False, False),
    ("psql -c 'ALTER TABLE t ADD c int'", D, False, False),
    ("psql -c 'VACUUM FULL big'", D, False, False),
    ("psql -c 'VACUUM ANALYZE big'", C, False, False),
    ("psql -c 'WITH x AS (DELETE FROM t RETURNING *) SELECT 1'", D, False, False),
    ("psql -h $DB_HOST -U $DB_USER -d $DB_NAME", C, True, False),
    ("psql -l", R, False, False),
    ("psql app < dump.sql", D, False, False),
    ("mysql -e 'SHOW PROCESSLIST'", R, False, False),
    ('mysql -u root -proot_pass -e "USE db; REPAIR TABLE wp_posts;"', D, False, False),
    ("mysql -h $DB_HOST -u $DB_USER -p$DB_PASSWORD $DB_NAME", C, True, False),
    ("docker exec -i codex-db mariadb -u root -pX codex_db < backups/db.sql", D, False, False),
    ("mysqladmin shutdown", D, False, False),
    ("mysqladmin status", R, False, False),
    ("mongosh --eval 'db.dropDatabase()'", D, False, False),
    ("pg_restore -d app dump.tar", D, False, False),
    # host
    ("rm -rf /root/codex-dominion/backups/*.sql", D, False, False),
    ("truncate -s 0 /var/log/syslog", D, False, False),
    ("dd if=/dev/zero of=/dev/sda bs=1M", D, False, False),
    ("mkfs.ext4 /dev/sdb1", D, False, False),
    ("sudo reboot", D, False, False),
    ("shutdown -h now", D, False, False),
    ("systemctl restart nginx", D, False, False),
    ("sudo systemctl stop docker", D, False, False),
    ("systemctl status nginx --no-pager", R, False, False),
    ("systemctl daemon-reload", C, False, False),
    ("service nginx restart", D, False, False),
    ("kill -9 1234", D, False, False),
    ("pkill -f gunicorn", D, False, False),
    ("killall node", D, False, False),
    ("iptables -A INPUT -s 1.2.3.4 -j DROP", D, False, False),
    ("iptables -F", D, False, False),
    ("iptables -L -n", R, False, False),
    ("ufw deny from 1.2.3.4", D, False, False),
    ("ufw status", R, False, False),
    ("echo 'nameserver 1.1.1.1' > /etc/resolv.conf", D, False, False),
    ("echo x | sudo tee /etc/hosts", D, False, False),
    ("cat <<EOF > /etc/nginx/conf.d/x.conf\nserver {}\nEOF", D, False, False),
    ("docker logs web 2>&1 | tail -1000 > temp.log && cat temp.log > /dev/null", C, False, False),
    ("journalctl -u nginx -f", R, False, True),
    ("journalctl --vacuum-time=1d", D, False, False),
    ("find /var/log -name '*.gz' -delete", D, False, False),
    ("find . -name '*.tmp' -exec rm {} +", D, False, False),
    ("crontab -r", D, False, False),
    ("apt-get remove nginx", D, False, False),
    ("tar -xzf backup.tar.gz -C /srv/uploads", C, False, False),
    ("df -h", R, False, False),
    ("free -m", R, False, False),
    ("ps aux | sort -rn -k 3 | head -10", R, False, False),
    ("top", R, True, False),
    ("top -b -n 1 | head", R, False, False),
    ("htop", R, True, False),
    ("less /var/log/syslog", R, True, False),
    ("tail -f /var/log/nginx/error.log", R, False, True),
    ("vim /etc/nginx/nginx.conf", C, True, False),
    ("nano my.cnf", C, True, False),
    ("watch 'kubectl get hpa'", R, True, False),
    ("watch -n 5 kubectl delete pod x", D, True, False),
    # network
    ("curl -f https://www.akaind.ca/health", R, False, False),
    ("curl -I https://api.stripe.com/v1/health", R, False, False),
    ("curl -X POST https://api.statuspage.io/v1/pages/P/incidents -d 'x=1'", C, False, False),
    ("curl -XDELETE http://es:9200/logs-2024", D, False, False),
    ("curl --request PUT http://x/y", C, False, False),
    ("curl -d @body.json http://x/api", C, False, False),
    ("curl -sfL https://get.k3s.io | sh -", D, False, False),
    ("wget -qO- https://x/install.sh | sudo bash", D, False, False),
    ("dig codexdominion.app", R, False, False),
    ("nslookup www.seanwilken.com", R, False, False),
    ("openssl s_client -connect x:443 -servername x", R, False, False),
    ("openssl x509 -in cert.pem -noout -dates", R, False, False),
    ("ping -c 3 10.0.0.1", R, False, False),
    ("ping 10.0.0.1", R, False, True),
    ("ssh root@74.208.123.158", C, True, False),
    ("ssh -i key ubuntu@<instance-ip>", C, True, False),
    ("ssh admin@db1 'sudo systemctl restart postgresql'", D, False, False),
    ("ssh admin@db1 uptime", R, False, False),
    ("ssh -N -L 5432:db:5432 bastion", R, False, True),
    # cloud and tools
    ("aws ec2 describe-instances --region ap-southeast-1", R, False, False),
    ("aws ec2 reboot-instances --instance-ids i-1", D, False, False),
    (
        "aws rds delete-db-instance --db-instance-identifier x --skip-final-snapshot",
        D,
        False,
        False,
    ),
    ("aws rds promote-read-replica --db-instance-identifier x", D, False, False),
    ("aws s3 ls s3://bucket", R, False, False),
    ("aws s3 rm s3://bucket/x --recursive", D, False, False),
    ("helm list -A", R, False, False),
    ("helm upgrade app ./chart -n prod", D, False, False),
    ("helm rollback app 3", D, False, False),
    ("helm uninstall app", D, False, False),
    ("helm install app ./chart", C, False, False),
    ("terraform plan", R, False, False),
    ("terraform destroy -auto-approve", D, False, False),
    ("git log --oneline --since='1 hour ago'", R, False, False),
    ("git push --force origin main", D, False, False),
    ("git push origin feature/x", C, False, False),
    ("certbot renew --nginx", C, False, False),
    ("certbot certificates", R, False, False),
    ("nginx -t", R, False, False),
    ("nginx -s reload", C, False, False),
    ("nginx -s stop", D, False, False),
    ("gcloud compute instances delete vm-1", D, False, False),
    ("gcloud compute instances list", R, False, False),
    ("./db-backup.sh restore dhakacart-backup-latest", D, False, False),
    ("./db-backup.sh list-backups", C, False, False),
    ("pd incident create --title 'P0: down'", C, False, False),
    ("bash -c 'kubectl delete pod x'", D, False, False),
    ('sh -c "kubectl get pods"', R, False, False),
    ('echo "$(kubectl delete pod x)"', D, False, False),
    (
        "for s in a b; do\n  curl -f https://$s.example.com/health || echo FAILED\ndone",
        R,
        False,
        False,
    ),
    ("while true; do curl http://localhost:8080/; done &", C, False, True),
    ("bash", C, True, False),
    ("python3", C, True, False),
    ("sudo -i", C, True, False),
    ("", R, False, False),
]


@pytest.mark.parametrize(("command", "level", "interactive", "streaming"), TABLE)
def test_classification(command: str, level: str, interactive: bool, streaming: bool) -> None:
    danger = classify(command)
    assert (danger.level, danger.interactive, danger.streaming) == (level, interactive, streaming)
    if level != "read":
        assert danger.reasons and all(reason.strip() for reason in danger.reasons)


def test_reasons_name_the_action_and_the_object() -> None:
    danger = classify("kubectl delete pod app-7d9 --grace-period=0 --force -n prod")
    assert danger.reasons[0] == "kubectl delete pod app-7d9: deletes objects"
    assert any("graceful" in reason for reason in danger.reasons)
    piped = classify("kubectl get pods | grep x && docker system prune -f")
    assert piped.dangerous and piped.reasons == ["docker system prune: deletes everything unused"]


# Any of these words in a command means it must never be treated as a plain read.
_RISKY = re.compile(
    r"\b(delete|restart|prune|undo|scale|flushall|flush|drain|uncordon|rm|truncate|reboot|"
    r"apply|patch|edit|set|kill|drop|repair|terminate|promote|restore|POST|rollback)\b",
    re.IGNORECASE,
)


def test_no_risky_seed_command_is_a_read(seeds: list[Path]) -> None:
    checked = 0
    for path in seeds:
        for _, _, block in read_runbook(path).commands():
            for line in block.commands:
                if _RISKY.search(line.text):
                    checked += 1
                    danger = classify(line.text)
                    assert danger.level != "read", (path.name, line.text)
                    assert danger.reasons, line.text
    assert checked >= 40


def test_every_seed_command_is_classified_without_error(seeds: list[Path]) -> None:
    levels: dict[str, int] = {}
    for path in seeds:
        for _, _, block in read_runbook(path).commands():
            for line in block.commands:
                danger = classify(line.text)
                levels[danger.level] = levels.get(danger.level, 0) + 1
    assert levels["read"] > 60 and levels["dangerous"] > 30 and levels["change"] > 10
